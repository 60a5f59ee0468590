import { UserError } from "../components/errors";
import { CdnRefused, sendWithRateLimit, type PurgeIo } from "./http";
import type { PurgeTarget } from "./media-keys";
import type { PurgeOutcome } from "./purge";

/** Cloudflare's API (Cloudflare API reference, "Purge Cached Content"); CLOUDFLARE_BASE_URL moves it, as in Cloudflare's own client. */
export const CLOUDFLARE_API = "https://api.cloudflare.com/client/v4";

/**
 * Per request: 100 URLs (Free, Pro and Business plans), and 30 prefixes as the dashboard's custom purge states
 * (Cloudflare cache docs, "Purge cache", availability and limits; "Purge cache by prefix (URL)"). Every plan may
 * purge by URL and by prefix. Free plans get 5 purge requests a minute: a 429 is waited out (cdn-purge/http.ts).
 */
export const MAX_FILES = 100;
export const MAX_PREFIXES = 30;

/** The purge bodies: `{files: [URL...]}` for files, `{prefixes: [HOST/PATH...]}` (no scheme, no trailing slash) for folders. */
export function cloudflareBodies(
  base: URL,
  targets: readonly PurgeTarget[],
): ({ files: string[] } | { prefixes: string[] })[] {
  const files = new Set<string>();
  const prefixes = new Set<string>();
  for (const target of targets) {
    const folder = target.kind === "folder" ? target.key : target.attachmentFolder;
    if (folder) prefixes.add(`${base.host}${base.pathname}${folder}`.replace(/\/$/, ""));
    else if (target.kind === "file") files.add(new URL(target.key, base).href);
  }
  const chunks = <T>(items: T[], size: number): T[][] =>
    Array.from({ length: Math.ceil(items.length / size) }, (_, i) => items.slice(i * size, (i + 1) * size));
  return [
    ...chunks([...files], MAX_FILES).map((f) => ({ files: f })),
    ...chunks([...prefixes], MAX_PREFIXES).map((p) => ({ prefixes: p })),
  ];
}

/**
 * Purges the targets from a Cloudflare zone's cache: `POST /zones/ZONE/purge_cache` with a token
 * (CLOUDFLARE_API_TOKEN, permission Zone / Cache Purge) as a Bearer token. Answers `{success, errors}`.
 */
export async function purgeCloudflare(
  zoneId: string,
  base: URL,
  targets: readonly PurgeTarget[],
  env: NodeJS.ProcessEnv,
  io: PurgeIo,
  dryRun: boolean,
): Promise<PurgeOutcome> {
  const bodies = cloudflareBodies(base, targets);
  const planned = bodies.map((body) => `Cloudflare purge_cache on zone ${zoneId}: ${JSON.stringify(body)}`);
  if (dryRun) return { planned, done: [] };
  const token = env.CLOUDFLARE_API_TOKEN;
  if (!token)
    throw new UserError(
      "CLOUDFLARE_API_TOKEN is not set: export a token with the permission Zone / Cache Purge on this zone",
    );
  const api = (env.CLOUDFLARE_BASE_URL || CLOUDFLARE_API).replace(/\/$/, "");
  const done: string[] = [];
  for (const body of bodies) {
    const response = await sendWithRateLimit(
      "the Cloudflare API",
      `${api}/zones/${encodeURIComponent(zoneId)}/purge_cache`,
      {
        method: "POST",
        headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
        body: JSON.stringify(body),
      },
      io,
    );
    const answer = (await response.json().catch(() => undefined)) as
      { success?: boolean; errors?: { code?: number; message?: string }[]; result?: { id?: string } } | undefined;
    if (!response.ok || answer?.success !== true) {
      const errors =
        (answer?.errors ?? []).map((e) => `${e.code ?? ""} ${e.message ?? ""}`.trim()).join("; ") || "no error detail";
      const hint =
        response.status === 401 || response.status === 403 ? " (the token needs Zone / Cache Purge on this zone)" : "";
      throw new CdnRefused(
        response.status,
        `Cloudflare refused the purge on zone ${zoneId}: ${errors}${hint}${done.length ? ` (${done.length} request(s) were accepted before)` : ""}`,
      );
    }
    done.push(
      `Cloudflare purge ${answer.result?.id ?? ""}: ${"files" in body ? `${body.files.length} URL(s)` : `${body.prefixes.length} prefix(es)`}`.replace(
        "purge :",
        "purge:",
      ),
    );
  }
  return { planned, done };
}

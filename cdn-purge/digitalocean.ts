import { UserError } from "../components/errors";
import { CdnRefused, sendWithRateLimit, type PurgeIo } from "./http";
import type { PurgeTarget } from "./media-keys";
import type { PurgeOutcome } from "./purge";

/** DigitalOcean's API; DIGITALOCEAN_API_URL moves it, as for DigitalOcean's Terraform provider. */
export const DIGITALOCEAN_API = "https://api.digitalocean.com";

/**
 * DigitalOcean API reference, "Purge the Cache for an Existing CDN Endpoint": `DELETE /v2/cdn/endpoints/ID/cache`
 * with `{files: [...]}`, paths relative to the Space, a trailing `*` purging everything under a folder; at most
 * 50 files per 20 seconds, and 5 requests per 10 seconds per endpoint; two identical requests may not run at once.
 * So: batches of 50, one batch per 20 s window, one at a time; a 429 is waited out as its Retry-After asks.
 */
export const FILES_PER_WINDOW = 50;
export const WINDOW_MS = 20_000;

/** The `files` of the flush: a folder (or an attachment's file, for every style) as `FOLDER/*`, a file as its key. */
export function flushPaths(basePath: string, targets: readonly PurgeTarget[]): string[] {
  const relative = basePath.replace(/^\//, "");
  const paths = targets.map((target) => {
    const folder = target.kind === "folder" ? target.key : target.attachmentFolder;
    return folder ? `${relative}${folder}*` : `${relative}${target.key}`;
  });
  return [...new Set(paths)];
}

/**
 * Flushes the targets from a Spaces CDN endpoint with DIGITALOCEAN_TOKEN (scope cdn:delete, or full access).
 * `windowMs` is the rate window (tests shorten it; the API's is 20 s).
 */
export async function purgeDigitalOcean(
  endpointId: string,
  basePath: string,
  targets: readonly PurgeTarget[],
  env: NodeJS.ProcessEnv,
  io: PurgeIo,
  dryRun: boolean,
  windowMs = WINDOW_MS,
): Promise<PurgeOutcome> {
  const paths = flushPaths(basePath, targets);
  const batches = Array.from({ length: Math.ceil(paths.length / FILES_PER_WINDOW) }, (_, i) =>
    paths.slice(i * FILES_PER_WINDOW, (i + 1) * FILES_PER_WINDOW),
  );
  const planned = batches.map(
    (files, i) =>
      `DigitalOcean CDN flush ${i + 1}/${batches.length} of endpoint ${endpointId}: ${JSON.stringify({ files })}`,
  );
  if (dryRun) return { planned, done: [] };
  const token = env.DIGITALOCEAN_TOKEN || env.DIGITALOCEAN_ACCESS_TOKEN;
  if (!token)
    throw new UserError(
      "DIGITALOCEAN_TOKEN is not set: export an API token with the scope cdn:delete (or full access)",
    );
  const api = (env.DIGITALOCEAN_API_URL || DIGITALOCEAN_API).replace(/\/$/, "");
  const done: string[] = [];
  let windowStart: number | undefined;
  for (const [index, files] of batches.entries()) {
    if (windowStart !== undefined) {
      const wait = windowStart + windowMs - io.now();
      if (wait > 0) {
        io.say(
          `DigitalOcean: ${FILES_PER_WINDOW} files per ${windowMs / 1000} s; waiting ${Math.ceil(wait / 1000)} s before batch ${index + 1}/${batches.length}`,
        );
        await io.sleep(wait);
      }
    }
    windowStart = io.now();
    const response = await sendWithRateLimit(
      "the DigitalOcean API",
      `${api}/v2/cdn/endpoints/${encodeURIComponent(endpointId)}/cache`,
      {
        method: "DELETE",
        headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
        body: JSON.stringify({ files }),
      },
      io,
      windowMs,
    );
    const text = await response.text();
    if (response.status !== 204 && !response.ok) {
      let message = text.slice(0, 200);
      try {
        message = (JSON.parse(text) as { message?: string }).message ?? message;
      } catch {
        // not JSON: the start of the text
      }
      const hint =
        response.status === 401 || response.status === 403
          ? " (the token needs the scope cdn:delete)"
          : response.status === 404
            ? ` (no CDN endpoint ${endpointId}: check cdnPurge.endpointId or --digitalocean-cdn)`
            : "";
      throw new CdnRefused(
        response.status,
        `DigitalOcean refused the flush: ${message}${hint}${done.length ? ` (${done.length} batch(es) were accepted before)` : ""}`,
      );
    }
    windowStart = io.now();
    done.push(`DigitalOcean flush ${index + 1}/${batches.length}: ${files.length} path(s)`);
  }
  return { planned, done };
}

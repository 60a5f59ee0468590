import type { VerifyTarget } from "../../mastodon-env/target";

export type MediaUrlResult =
  | { ok: true; key: string }
  | {
      ok: false;
      problem: "missing" | "wrong-host" | "local-storage" | "wrong-prefix" | "not-an-attachment";
      observed: string;
    };

/**
 * Where Mastodon stores an attachment's styles: `[S3_KEY_PREFIX/]media_attachments/files/ID_PARTITION/STYLE/NAME`
 * (app/models/media_attachment.rb with Paperclip's default path `:class/:attachment/:id_partition/:style/:filename`;
 * kt-paperclip lib/paperclip/interpolations.rb `id_partition`: the id zero-padded to 9 digits and cut into groups
 * of 3, so a snowflake id of 18 digits makes 6 groups).
 */
export const ATTACHMENT_KEY = /^media_attachments\/files\/(\d{3}\/)+(original|small)\/[^/]+$/;

/**
 * Reads a media URL Mastodon returned (`url` or `preview_url`) against the env verified here: it must be
 * `MEDIA_BASE/KEY` (S3_ALIAS_HOST, else S3_HOSTNAME with the bucket in the path), with KEY under S3_KEY_PREFIX.
 * `instanceHost` is the host of --mastodon: a URL there means Mastodon still stores media on its own disk.
 */
export function readMediaUrl(
  target: VerifyTarget,
  url: string | null | undefined,
  instanceHost: string,
): MediaUrlResult {
  if (!url) return { ok: false, problem: "missing", observed: "no URL" };
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return { ok: false, problem: "wrong-host", observed: `not a URL: ${url.slice(0, 120)}` };
  }
  const base = target.mediaBase;
  const basePath = base.pathname.replace(/\/$/, "");
  if (parsed.protocol !== base.protocol || parsed.host !== base.host || !parsed.pathname.startsWith(`${basePath}/`)) {
    const local = parsed.host === instanceHost && parsed.pathname.startsWith("/system/");
    return {
      ok: false,
      problem: local ? "local-storage" : "wrong-host",
      observed: `${parsed.origin}${parsed.pathname} is not under ${base.origin}${basePath}/`,
    };
  }
  const key = decodeURIComponent(parsed.pathname.slice(basePath.length + 1));
  const prefix = target.facts.keyPrefix;
  if (prefix && !key.startsWith(`${prefix}/`)) {
    return { ok: false, problem: "wrong-prefix", observed: `key ${key} is not under S3_KEY_PREFIX ${prefix}/` };
  }
  const rest = prefix ? key.slice(prefix.length + 1) : key;
  if (!prefix && !ATTACHMENT_KEY.test(rest) && /^[^/]+\/media_attachments\//.test(rest)) {
    return {
      ok: false,
      problem: "wrong-prefix",
      observed: `key ${key} has a prefix (${rest.split("/")[0]}/) the env verified here has no S3_KEY_PREFIX for`,
    };
  }
  if (!ATTACHMENT_KEY.test(rest)) {
    return {
      ok: false,
      problem: "not-an-attachment",
      observed: `key ${key} is not where Mastodon stores attachments (media_attachments/files/ID/STYLE/NAME)`,
    };
  }
  return { ok: true, key };
}

/** Paperclip's id partition of an attachment id (see ATTACHMENT_KEY): "000/000/123" for 123. */
export function idPartition(id: string): string {
  return id.padStart(9, "0").match(/\d{3}/g)?.join("/") ?? id;
}

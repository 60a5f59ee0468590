import { PRIVATE_PREFIXES } from "../../components/prefixes";

/**
 * The WAF expression matching requests for private keys (`backups/`, `imports/`) on the media host. R2 has no
 * bucket policies: its custom domain serves every key of the bucket.
 *
 * - `lower(http.host) in {HOST "HOST."}`: http.host is the Host header as sent (Cloudflare Rules language,
 *   "http.host"). Its case is the client's choice, and a trailing dot names the same host (RFC 3986 section
 *   3.2.2; the edge routes `files.example.com.` to the same custom domain).
 * - `contains "/backups/"` rather than `starts_with`: the class is blocked under any key prefix, not only this
 *   stack's S3_KEY_PREFIX, because several instances may share the bucket (that is what the prefix is for)
 *   and this domain serves all their keys. No public Mastodon key has a `backups` or `imports` segment
 *   (keys are CLASS/ATTACHMENT/ID_PARTITION/STYLE/FILE), and the config refuses such a key prefix on R2.
 * - `url_decode(...)`: URL normalization leaves `%2F` encoded, while R2 decodes the path into the key, so
 *   `/backups%2F...` would otherwise reach `backups/...`. Both the normalized and the decoded path are checked.
 * No regular expressions: `matches` needs a Business or Enterprise plan, `contains` works on every plan.
 * policy/rules/r2-private-prefixes-blocked.ts evaluates the result on sample requests.
 */
export function privateKeysExpression(mediaDomain: string): string {
  const host = mediaDomain.toLowerCase();
  const checks = ["http.request.uri.path", "url_decode(http.request.uri.path)"].flatMap((field) =>
    PRIVATE_PREFIXES.map((prefix) => `${field} contains ${quote(`/${prefix}`)}`),
  );
  return `(lower(http.host) in {${quote(host)} ${quote(`${host}.`)}} and (${checks.join(" or ")}))`;
}

/** A Rules-language string literal; host names hold no quote or backslash, but be sure. */
function quote(value: string): string {
  return `"${value.replace(/["\\]/g, (char) => `\\${char}`)}"`;
}

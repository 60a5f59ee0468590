import { privatePrefixes } from "../../components/prefixes";

/**
 * The WAF expression matching requests for private keys (`backups/`, `imports/`, under S3_KEY_PREFIX when set)
 * on the media host. R2 has no bucket policies: its custom domain serves every key of the bucket.
 *
 * - `lower(http.host)`: the Host header may arrive in any case and still reach the custom domain.
 * - `url_decode(...)`: URL normalization leaves `%2F` encoded, while R2 decodes the path into the key, so
 *   `/backups%2F...` would otherwise reach `backups/...`. Both the normalized and the decoded path are checked.
 * No regular expressions: `matches` needs a Business or Enterprise plan, `starts_with` works on every plan.
 */
export function privateKeysExpression(mediaDomain: string, keyPrefix?: string): string {
  const paths = privatePrefixes(keyPrefix).map((prefix) => `/${prefix}`);
  const checks = ["http.request.uri.path", "url_decode(http.request.uri.path)"].flatMap((field) =>
    paths.map((path) => `starts_with(${field}, ${quote(path)})`),
  );
  return `(lower(http.host) eq ${quote(mediaDomain)} and (${checks.join(" or ")}))`;
}

/** A Rules-language string literal; host names and key prefixes hold no quote or backslash, but be sure. */
function quote(value: string): string {
  return `"${value.replace(/["\\]/g, (char) => `\\${char}`)}"`;
}

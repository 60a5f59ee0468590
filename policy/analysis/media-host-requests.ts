import { PRIVATE_PREFIXES, PUBLIC_PREFIXES } from "../../components/prefixes";
import type { FieldValues } from "./rules-language/evaluate";

/**
 * Sample requests to an R2 custom domain, each with what the zone's WAF must decide about it. A custom domain
 * serves every key of the bucket (R2 docs, "Public buckets"), so a guard is judged by what its expression
 * matches on requests an attacker can send:
 * - the private classes (`backups/`, `imports/`) at the bucket root and under any key prefix: S3_KEY_PREFIX
 *   lets several instances share one bucket, and this domain serves all of their keys;
 * - the `/` after the class percent-encoded (`%2F`, `%2f`): Cloudflare's URL normalization keeps `%2F`
 *   encoded in http.request.uri.path, while R2 decodes the path into the key;
 * - the Host header in upper case and with a trailing dot (RFC 3986 section 3.2.2 allows the dot; http.host
 *   is the Host header as sent);
 * and public media, which must stay served, plus the same private path on another host of the zone, which
 * the media host's rule has no business blocking.
 */
export interface MediaHostRequest {
  /** How findings show it: `HOST PATH`. */
  label: string;
  fields: FieldValues;
  /** The guard must block it (it reaches a private key) or must let it through. */
  expect: "blocked" | "allowed";
}

const KEY_PREFIXES = ["", "social/", "social/one/"];

export function mediaHostRequests(mediaDomain: string): MediaHostRequest[] {
  const hosts = [mediaDomain, mediaDomain.toUpperCase(), `${mediaDomain}.`, `${mediaDomain.toUpperCase()}.`];
  const request = (host: string, path: string, expect: MediaHostRequest["expect"]): MediaHostRequest => ({
    label: `${host} ${path}`,
    fields: { "http.host": host, "http.request.uri.path": path },
    expect,
  });
  const privatePaths = KEY_PREFIXES.flatMap((keyPrefix) =>
    PRIVATE_PREFIXES.flatMap((prefix) => {
      const segment = prefix.slice(0, -1);
      return [`/${keyPrefix}${segment}/x`, `/${keyPrefix}${segment}%2Fx`, `/${keyPrefix}${segment}%2fx`];
    }),
  );
  const publicPaths = ["", "social/"].flatMap((keyPrefix) =>
    PUBLIC_PREFIXES.map((prefix) => `/${keyPrefix}${prefix}files/000/000/001/original/0123456789abcdef.png`),
  );
  const otherHost = `other-${mediaDomain}`;
  return [
    ...hosts.flatMap((host) => privatePaths.map((path) => request(host, path, "blocked"))),
    ...hosts.flatMap((host) => publicPaths.map((path) => request(host, path, "allowed"))),
    request(otherHost, "/backups/x", "allowed"),
  ];
}

import type { Variable } from "./model";

/**
 * How Mastodon reads its cache buster settings, as plain data (part of the one model, mastodon-env/model.ts).
 *
 * Sources (Mastodon 4.4 onwards; 4.3 read the same variables in config/initializers/cache_buster.rb):
 * - config/cache_buster.yml: `enabled: ENV.fetch('CACHE_BUSTER_ENABLED', 'false') == 'true'`;
 *   `secret_header` and `secret`: `ENV.fetch(NAME, nil)&.to_json` (any present value, the empty string too);
 *   `http_method: ENV.fetch('CACHE_BUSTER_HTTP_METHOD', 'GET')`, written into the YAML unquoted, so an empty value
 *   is YAML's null and app/lib/cache_buster.rb falls back to GET (4.3: `ENV[...] || 'GET'` keeps the empty string).
 * - app/lib/cache_buster.rb: the header is added only `if @secret_header.present? && @secret && !@secret.empty?`
 *   (Rails' `present?`: not blank, so a name of spaces counts as none); the method is `@http_method.downcase.to_sym`,
 *   which http.rb (lib/http/request.rb, `METHODS`) refuses with UnsupportedMethodError unless it is one it knows.
 */

/** The variables Mastodon's cache buster reads. */
export const CACHE_BUSTER_VARIABLES = [
  "CACHE_BUSTER_ENABLED",
  "CACHE_BUSTER_SECRET_HEADER",
  "CACHE_BUSTER_SECRET",
  "CACHE_BUSTER_HTTP_METHOD",
] as const;

export type CacheBusterVariable = (typeof CACHE_BUSTER_VARIABLES)[number];

/** The methods http.rb 5 accepts (lib/http/request.rb `METHODS`), lower case as Mastodon passes them. */
export const HTTP_RB_METHODS: readonly string[] = [
  "options",
  "get",
  "head",
  "post",
  "put",
  "delete",
  "trace",
  "connect",
  "propfind",
  "proppatch",
  "mkcol",
  "copy",
  "move",
  "lock",
  "unlock",
  "orderpatch",
  "acl",
  "report",
  "patch",
  "search",
  "mkcalendar",
  "purge",
];

export interface MastodonCacheBuster {
  vars: Record<CacheBusterVariable, Variable>;
  /** `CACHE_BUSTER_ENABLED == 'true'`, exactly: `True`, `1`, `yes` leave it off. */
  enabled: boolean;
  /** The header Mastodon adds to each bust request; undefined when it adds none (name blank, or secret empty). */
  header?: { name: string; value: string };
  /** The method as Mastodon sends it on the wire (upper case); empty or absent is GET. */
  method: string;
  /** http.rb knows the method: false means every bust job fails (UnsupportedMethodError) and nothing is busted. */
  methodKnown: boolean;
}

/** Reads the CACHE_BUSTER_* variables of a parsed env file (values from mastodon-env/env-file.ts). */
export function readCacheBuster(
  values: ReadonlyMap<string, string>,
  lines?: ReadonlyMap<string, number>,
): MastodonCacheBuster {
  const read = (key: CacheBusterVariable): Variable => {
    const value = values.get(key);
    if (value === undefined) return { state: "absent" };
    return value === "" ? { state: "empty", line: lines?.get(key) } : { state: "set", value, line: lines?.get(key) };
  };
  const vars = Object.fromEntries(CACHE_BUSTER_VARIABLES.map((key) => [key, read(key)])) as Record<
    CacheBusterVariable,
    Variable
  >;
  const name = values.get("CACHE_BUSTER_SECRET_HEADER");
  const secret = values.get("CACHE_BUSTER_SECRET");
  const rawMethod = values.get("CACHE_BUSTER_HTTP_METHOD");
  const method = rawMethod === undefined || rawMethod.trim() === "" ? "GET" : rawMethod.trim().toUpperCase();
  return {
    vars,
    enabled: values.get("CACHE_BUSTER_ENABLED") === "true",
    ...(name !== undefined && name.trim() !== "" && secret ? { header: { name, value: secret } } : {}),
    method,
    methodKnown: HTTP_RB_METHODS.includes(method.toLowerCase()),
  };
}

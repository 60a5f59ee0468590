import { BUST_NOT_INSTALLED, BUST_STATUS_HEADER, CACHE_BUSTER_HEADER } from "../../components/cache-buster";

/**
 * The nginx cache of the media host in front of MinIO (providers/minio/nginx.ts), and how Mastodon's bust
 * request (components/cache-buster.ts) refreshes it. nginx directives as documented in ngx_http_proxy_module:
 *
 * - `proxy_cache_path ... keys_zone=...`: one cache per media host; `inactive` drops what nobody asked for.
 * - `proxy_cache_key $uri`: the path only. The default key holds `$request_uri`, query string included, while
 *   the snippet sends MinIO no query string at all: one copy per key, which one bust request refreshes.
 * - `proxy_cache_bypass $bust`: a request with the secret skips the cache, goes to MinIO, and its answer is
 *   stored in place of the cached copy. Once Mastodon has deleted the file that answer is a 404 (or a 403),
 *   cached for `ERROR_TTL_SECONDS` by `proxy_cache_valid`: so the deleted file's entry is replaced, not kept.
 * - `proxy_ignore_headers Vary`: MinIO answers `Vary: Origin`; nginx would then keep one copy per Origin value,
 *   and the bust request (no Origin) would replace only its own. nginx sets the CORS headers itself.
 * - `proxy_cache_lock`: one request fills an entry, the others wait; `proxy_cache_use_stale` +
 *   `proxy_cache_background_update`: an expired entry is served while it is refreshed, and while MinIO is down.
 * - Upstream `Cache-Control` (Mastodon uploads with `public, max-age=315576000, immutable`) rules how long a file
 *   stays; `proxy_cache_valid 200 ...` covers files uploaded without it.
 *
 * The secret is not in the snippet: the map includes a file of its own (`nginxCacheBusterMap` output, root-only),
 * so the snippet can be shown in plans and reviews. The include is a glob (`...cache-buster*.conf`): nginx accepts a
 * glob that matches nothing (ngx_conf_file.c, ngx_conf_include: GLOB_NOMATCH is not an error for a pattern), so
 * nginx starts before `pulumi up` has created the secret (docs/minio.md has nginx set up from the plan first, issue
 * #21), and a bust request is an ordinary request until the file is there. Meanwhile an answer to a request carrying
 * the header says `X-Cache-Buster: not-installed` (the file adds a catch-all entry, so a header that maps to nothing
 * means no file), which verify's `cache-bust` check reports as the step still to do
 * (live-checks/checks/cache-bust.ts). nginx matches the header with a regular expression, not in
 * constant time; the secret is 48 random characters, which a timing side channel over the network does not reach.
 */

/** How long nginx keeps MinIO's 403/404 answers: short, but long enough to stand in for a busted entry. */
export const ERROR_TTL_SECONDS = 10;

/** How long a 200 without Cache-Control stays (Mastodon's own uploads carry their max-age). */
export const DEFAULT_TTL = "24h";

/** The cache's size cap and how long an entry nobody asked for stays. */
export const CACHE_MAX_SIZE = "10g";
export const CACHE_INACTIVE = "30d";

export interface NginxCachePaths {
  /** The cache directory (nginx's `proxy_cache_path`). */
  cache: string;
  /** The root-only file holding the secret's map entry (`pulumi stack output nginxCacheBusterMap`). */
  bustMap: string;
}

/**
 * Where the cache lives and where the admin puts the secret's file. nginx creates only the last folder of a
 * `proxy_cache_path` (ngx_create_paths); Debian's nginx has no /var/cache/nginx (its own temporary files are under
 * /var/lib/nginx), so the cache sits directly in /var/cache, which every Debian system has (FHS 3.0, 5.5).
 */
export function defaultNginxCachePaths(mediaDomain: string): NginxCachePaths {
  return {
    cache: `/var/cache/mastodon-media-${mediaDomain}`,
    bustMap: `/etc/nginx/mastodon-media/${mediaDomain}.cache-buster.conf`,
  };
}

/** An nginx variable name for this media host (`$files_example_com_...`). */
function variablePrefix(mediaDomain: string): string {
  return mediaDomain.replace(/[^a-z0-9]/g, "_");
}

/** `$http_<header>`: how nginx names a request header (lower case, `-` as `_`). */
function headerVariable(header: string): string {
  return `$http_${header.toLowerCase().replace(/-/g, "_")}`;
}

/** The glob the snippet includes: the secret's file, and nothing (no error) while it does not exist. */
export function bustMapGlob(bustMap: string): string {
  return bustMap.replace(/(\.conf)?$/, "*$1");
}

/** The http-context lines: the cache zone and the map that recognises the bust request. */
export function nginxCacheHttpLines(mediaDomain: string, paths: NginxCachePaths): string[] {
  const prefix = variablePrefix(mediaDomain);
  const header = headerVariable(CACHE_BUSTER_HEADER);
  return [
    `# The media cache, and Mastodon's cache buster: a request whose ${CACHE_BUSTER_HEADER} header holds the secret`,
    `# (in ${paths.bustMap}, written after \`pulumi up\`) skips the cache and replaces the cached copy with MinIO's answer.`,
    `proxy_cache_path ${paths.cache} levels=1:2 keys_zone=${prefix}_media:10m max_size=${CACHE_MAX_SIZE} inactive=${CACHE_INACTIVE} use_temp_path=off;`,
    `map ${header} $${prefix}_cache_bust {`,
    '  default "";',
    `  include ${bustMapGlob(paths.bustMap)};`,
    "}",
    "# A request with the header that the map does not know at all: the secret's file is not installed yet.",
    `map "${header}:$${prefix}_cache_bust" $${prefix}_cache_buster_status {`,
    '  default "";',
    `  "~^.+:$" "${BUST_NOT_INSTALLED}";`,
    "}",
    "",
  ];
}

/** The lines of `location /` that use the cache (indented for it). */
export function nginxCacheLocationLines(mediaDomain: string): string[] {
  const prefix = variablePrefix(mediaDomain);
  return [
    "",
    "    # Cached at the edge; Mastodon's bust request refreshes one key (see the map above).",
    `    proxy_cache ${prefix}_media;`,
    "    proxy_cache_key $uri;",
    `    proxy_cache_valid 200 ${DEFAULT_TTL};`,
    `    proxy_cache_valid 403 404 ${ERROR_TTL_SECONDS}s;`,
    "    proxy_cache_lock on;",
    "    proxy_cache_lock_timeout 10s;",
    "    proxy_cache_use_stale error timeout updating http_500 http_502 http_503 http_504;",
    "    proxy_cache_background_update on;",
    "    proxy_cache_revalidate on;",
    "    proxy_ignore_headers Vary;",
    `    proxy_cache_bypass $${prefix}_cache_bust;`,
    "    add_header X-Cache-Status $upstream_cache_status always;",
    `    add_header ${BUST_STATUS_HEADER} $${prefix}_cache_buster_status always;`,
  ];
}

/**
 * The content of the secret's file: the secret's map entry (1: bypass the cache), then a catch-all (0: an ordinary
 * request) that tells the snippet the file is installed. Letters and digits only, so it cannot end the string.
 */
export function nginxCacheBusterMap(secret: string): string {
  if (!/^[A-Za-z0-9]{16,}$/.test(secret))
    throw new Error("nginxCacheBusterMap: the secret must be at least 16 letters and digits");
  // A regular expression entry rather than a string key: nginx keeps string keys in a hash whose buckets (64
  // bytes by default, map_hash_bucket_size) a 48-character secret overflows, and nginx then refuses to start.
  return `# Mastodon's CACHE_BUSTER_SECRET for the media host (generated by mastodon-media). Keep this file root-only.\n"~^${secret}$" 1;\n"~." 0;\n`;
}

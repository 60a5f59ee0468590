/**
 * The nginx rule that keeps a locally stored instance's old media URLs working: `PATH KEY` on the web host answers
 * `301 NEWBASE KEY` (the query string kept: Paperclip appends `?TIMESTAMP`). Written once, for migrate's snippet
 * (cli/migrate/redirects.ts nginxSystemRedirect) and doctor's advice (cli/doctor/rules/previous.ts).
 * - `location ^~`: Mastodon's dist/nginx.conf serves `location ~ ^/system/` itself; a regex location wins over a
 *   plain prefix one, so a `location /system/ { rewrite ... }` never runs there. `^~` stops the regex search
 *   (nginx docs, "location").
 * - `$request_uri`: the request line as the client sent it, so percent-encoded keys (spaces, unicode, `+`) reach
 *   the media host exactly as other servers hold them; the captures of `rewrite` come from the decoded `$uri`.
 * Proven in Debian's nginx by test/e2e/migrate-nginx.test.ts.
 *
 * @param path the old base's path, e.g. `/system/` (PAPERCLIP_ROOT_URL with a trailing `/`)
 * @param newBase the new media base, an URL ending with `/`
 * @returns the lines of the location block, unindented
 */
export function systemRedirectLocation(path: string, newBase: string): string[] {
  const escapedPath = path.replace(/[.]/g, "\\.");
  return [
    `location ^~ ${path} {`,
    `  if ($request_uri ~ "^${escapedPath}([^?]+)") { return 301 ${newBase}$1$is_args$args; }`,
    "  return 404;",
    "}",
  ];
}

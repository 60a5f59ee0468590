/**
 * Keeping old media URLs working after a move. Other servers keep every media URL they ever fetched, and posts
 * keep linking them: an old URL must answer with a permanent redirect to the same key on the new media host
 * (Mastodon's admin docs, "Moving your media to object storage"; FACTS of the project, "What breaks", 5).
 *
 * Bases are URLs that end with `/`: an object's URL is its base followed by its key, e.g.
 * `https://social.example.com/system/` (local storage) or `https://files.example.com/prefix/`.
 */

import { systemRedirectLocation } from "../shared/system-redirect";

/** Characters nginx or Cloudflare would read as syntax in the strings we generate. */
const SAFE_BASE = /^https?:\/\/[A-Za-z0-9.-]+(:\d{1,5})?(\/[A-Za-z0-9._~/-]*)?\/$/;

function checkBase(name: string, base: string): URL {
  if (!SAFE_BASE.test(base))
    throw new Error(
      `${name} must be an http(s) URL ending with '/' without quotes or spaces (got ${JSON.stringify(base)})`,
    );
  return new URL(base);
}

/**
 * The nginx snippet for the web host of an instance that kept media on its disk: `/system/KEY` answers
 * `301 Location: NEWBASE KEY` (query string kept: Paperclip appends `?TIMESTAMP` to URLs), and nothing else
 * changes. The key is taken from `$request_uri`, the request line as the client sent it, so percent-encoded
 * characters (spaces, unicode, `+`) reach the media host exactly as other servers hold them; nginx's decoded
 * `$uri` would not. `location ^~` takes precedence over the regex `location ~ ^/system/` of Mastodon's
 * dist/nginx.conf (nginx docs, "location": `^~` stops the regex search).
 */
export function nginxSystemRedirect(newBase: string): string {
  checkBase("the new media base", newBase);
  return [
    "# mastodon-media: media moved to object storage. Old URLs https://WEB_DOMAIN/system/KEY answer",
    `# 301 ${newBase}KEY. Put this in the server block that serves WEB_DOMAIN on port 443, then`,
    "# `nginx -t && systemctl reload nginx`. Mastodon's own `location ~ ^/system/` block may stay: this one wins.",
    ...systemRedirectLocation("/system/", newBase),
    "",
  ].join("\n");
}

/** Hosts of S3 APIs: they answer every path themselves and cannot be told to redirect. */
const API_HOSTS = [
  /(^|\.)amazonaws\.com$/,
  /\.digitaloceanspaces\.com$/,
  /\.r2\.cloudflarestorage\.com$/,
  /\.r2\.dev$/,
  /\.backblazeb2\.com$/,
  /\.wasabisys\.com$/,
];

export interface RedirectRules {
  /** Whether a redirect can be configured at all: not on a provider's API host. */
  redirectable: boolean;
  text: string;
}

/**
 * The exact rules that make `OLDBASE KEY` answer 301 to `NEWBASE KEY`, for the three places an old media host
 * usually lives: an nginx (or MinIO proxy) server block, a Cloudflare zone (a Single Redirect whose target is a
 * `wildcard_replace` expression, Cloudflare docs "Single Redirects" and "Functions"), and CloudFront (a viewer
 * request function, CloudFront docs "Redirect the viewer to a new URL"). An old base on a provider's API host
 * (path-style URLs without an alias) cannot redirect: the old objects must stay readable there instead.
 */
export function oldHostRedirectRules(oldBase: string, newBase: string): RedirectRules {
  const old = checkBase("the old media base", oldBase);
  checkBase("the new media base", newBase);
  if (API_HOSTS.some((pattern) => pattern.test(old.hostname))) {
    return {
      redirectable: false,
      text:
        `${old.host} is the provider's own API host: it cannot be told to redirect. Keep the old bucket and its ` +
        `objects publicly readable at ${oldBase} for as long as other servers may hold those URLs (years), or accept ` +
        "that they break. Delete nothing there.\n",
    };
  }
  const path = old.pathname;
  return {
    redirectable: true,
    text: [
      `nginx (a server block for ${old.host}, certificate included):`,
      "  server {",
      "    listen 443 ssl;",
      `    server_name ${old.hostname};`,
      "    # ssl_certificate / ssl_certificate_key: the host's current certificate",
      ...systemRedirectLocation(path, newBase).map((line) => `    ${line}`),
      ...(path === "/" ? [] : ["    location / { return 404; }"]),
      "  }",
      "",
      `Cloudflare (${old.hostname} proxied in a Cloudflare zone): Rules > Redirect Rules > Create, custom filter`,
      `  When incoming requests match: (http.host eq "${old.hostname}" and starts_with(http.request.uri.path, "${path}"))`,
      `  Then: Dynamic, expression: wildcard_replace(http.request.full_uri, "${old.protocol}//${old.host}${path}*", "${newBase}\${1}")`,
      "  Status code: 301; Preserve query string: off (the expression keeps it)",
      "",
      `CloudFront (${old.hostname} on a distribution): a viewer-request CloudFront Function on the ${path}* behaviour:`,
      "  function handler(event) {",
      "    var r = event.request;",
      "    var q = Object.keys(r.querystring).map(function (k) { return k + (r.querystring[k].value ? '=' + r.querystring[k].value : ''); }).join('&');",
      `    var key = r.uri.substring(${path.length});`,
      `    return { statusCode: 301, statusDescription: 'Moved Permanently', headers: { location: { value: '${newBase}' + key + (q ? '?' + q : '') } } };`,
      "  }",
      "",
    ].join("\n"),
  };
}

/**
 * An old base as `previousMediaDomains` names it: the host, and the key prefix's path when it had one
 * (`files.example.com/social`). The stack's redirect maps that base's keys onto the current base
 * (providers/cloudflare/previous-media-redirect-expression.ts); the host alone would map
 * `old/social/KEY` to `NEW/[PREFIX/]social/KEY`, the old prefix doubled into the new key.
 */
export function previousMediaBase(oldBase: string): string {
  const old = checkBase("the old media base", oldBase);
  return `${old.host}${old.pathname.replace(/\/+$/, "")}`;
}

import { isIP } from "node:net";
import { hostnameProblem } from "../../components/config/validators";
import { corsRule } from "../../components/cors";
import { privatePrefixes } from "../../components/prefixes";
import {
  defaultNginxCachePaths,
  nginxCacheHttpLines,
  nginxCacheLocationLines,
  type NginxCachePaths,
} from "./nginx-cache";

export interface NginxProxyArgs {
  /** The public media host (S3_ALIAS_HOST). */
  mediaDomain: string;
  /** The MinIO S3 API nginx forwards to, e.g. http://127.0.0.1:9000. */
  endpoint: string;
  bucket: string;
  keyPrefix?: string;
  corsOrigins: readonly string[];
  /**
   * The DNS server nginx asks for the MinIO host name, at request time (`resolver`, nginx docs,
   * ngx_http_core_module): an IP address, optionally with `:port`. Default: systemd-resolved's stub listener,
   * which also answers from /etc/hosts. Not used when the endpoint is an IP address.
   */
  resolver?: string;
  /** Where the media cache and the cache buster's secret file live (providers/minio/nginx-cache.ts); Debian's places by default. */
  cachePaths?: NginxCachePaths;
}

/** systemd-resolved's local stub (resolved.conf(5), DNSStubListener): Debian 12 with systemd-resolved, Ubuntu. */
export const DEFAULT_NGINX_RESOLVER = "127.0.0.53";

/**
 * How nginx reaches MinIO. A literal `proxy_pass http://NAME...` is resolved once, when nginx loads its
 * configuration, and a name that does not resolve then stops nginx from starting at all ("host not found in
 * upstream", which takes every other site of that nginx down at boot). With a variable in proxy_pass the name is
 * resolved per request through `resolver` (nginx docs, ngx_http_proxy_module, proxy_pass: "Parameter value can
 * contain variables. In this case, if an address is specified as a domain name, the name is searched among the
 * described server groups, and, if not found, is determined using a resolver"): nginx starts, and answers 502
 * until the name resolves. A variable proxy_pass with a URI would send that URI as is, so the bucket goes in
 * front of the path with `rewrite ... break` (which nginx then escapes), and the trailing `?` drops the query.
 * Proven with Debian's nginx in test/e2e/minio-nginx-resolver.test.ts.
 */
function proxyLines(upstream: URL, bucket: string, resolver: string): string[] {
  const literalAddress = isIP(upstream.hostname.replace(/^\[|\]$/g, "")) !== 0;
  return [
    "    # MinIO's address is looked up per request, not when nginx starts: nginx starts and answers 502",
    "    # while the name does not resolve.",
    ...(literalAddress ? [] : [`    resolver ${resolver} valid=30s;`]),
    `    set $mastodon_media_minio "${upstream.origin}";`,
    `    rewrite ^/(.*)$ /${bucket}/$1? break;`,
    "    proxy_pass $mastodon_media_minio;",
  ];
}

/** Where `certbot certonly -d DOMAIN` puts the certificate and its key. */
export function certificatePaths(mediaDomain: string): { certificate: string; key: string } {
  return {
    certificate: `/etc/letsencrypt/live/${mediaDomain}/fullchain.pem`,
    key: `/etc/letsencrypt/live/${mediaDomain}/privkey.pem`,
  };
}

/** Debian's and Ubuntu's CA bundle, which nginx checks an https MinIO against. */
export const SYSTEM_CA_BUNDLE = "/etc/ssl/certs/ca-certificates.crt";

/** Two years, as on the other providers' media hosts. */
const HSTS_MAX_AGE_SECONDS = 63072000;

/** Headers MinIO sets that nginx answers itself, once (MinIO's CORS is server-wide and would duplicate them). */
const UPSTREAM_HEADERS_HIDDEN = [
  "Access-Control-Allow-Origin",
  "Access-Control-Allow-Credentials",
  "Access-Control-Allow-Methods",
  "Access-Control-Allow-Headers",
  "Access-Control-Expose-Headers",
  "Access-Control-Max-Age",
  "Strict-Transport-Security",
  "X-Content-Type-Options",
  "Content-Security-Policy",
  "Set-Cookie",
  "x-amz-request-id",
  "x-amz-id-2",
];

/**
 * The nginx configuration of the public media host in front of MinIO (Mastodon's "Proxying object storage
 * through nginx" pattern): TLS 1.2+, read-only (GET and HEAD; OPTIONS answered here for CORS preflights;
 * anything else 405), CORS for the configured origins, the root and the private prefixes answered 404, every
 * other path forwarded anonymously to the bucket and cached, with Mastodon's cache buster
 * (providers/minio/nginx-cache.ts). Meant for a file of its own in `sites-enabled/` (http context).
 */
export function nginxServerBlock(args: NginxProxyArgs): string {
  assertSafe(args);
  const upstream = new URL(args.endpoint);
  const cors = corsRule(args.corsOrigins);
  const anyOrigin = cors.allowedOrigins.length === 1 && cors.allowedOrigins[0] === "*";
  const originVariable = `$${args.mediaDomain.replace(/[^a-z0-9]/g, "_")}_cors_origin`;
  const allowOrigin = anyOrigin ? '"*"' : originVariable;
  const { certificate, key } = certificatePaths(args.mediaDomain);

  const corsHeaders = [
    `add_header Access-Control-Allow-Origin ${allowOrigin} always;`,
    ...(anyOrigin ? [] : ["add_header Vary Origin always;"]),
  ];
  const lines = [
    `# Mastodon media on https://${args.mediaDomain}/, read from the MinIO bucket ${args.bucket} at ${upstream.origin}.`,
    "# Generated by mastodon-media (`pulumi stack output nginxConfig`); include it in nginx's http context.",
    "",
    ...(anyOrigin
      ? []
      : [
          "# The one allowed origin a request comes from, or nothing (no CORS header).",
          `map $http_origin ${originVariable} {`,
          '  default "";',
          ...cors.allowedOrigins.map((origin) => `  "${origin}" "${origin}";`),
          "}",
          "",
        ]),
    ...nginxCacheHttpLines(args.mediaDomain, args.cachePaths ?? defaultNginxCachePaths(args.mediaDomain)),
    "server {",
    "  listen 80;",
    "  listen [::]:80;",
    `  server_name ${args.mediaDomain};`,
    "  return 301 https://$host$request_uri;",
    "}",
    "",
    "server {",
    "  # `listen ... http2` rather than `http2 on;`, which only exists from nginx 1.25.1.",
    "  listen 443 ssl http2;",
    "  listen [::]:443 ssl http2;",
    `  server_name ${args.mediaDomain};`,
    "",
    `  ssl_certificate ${certificate};`,
    `  ssl_certificate_key ${key};`,
    "  ssl_protocols TLSv1.2 TLSv1.3;",
    "",
    "  # Read-only: Mastodon writes through the S3 API, never through the media host.",
    "  if ($request_method !~ ^(GET|HEAD|OPTIONS)$) {",
    "    return 405;",
    "  }",
    "",
    "  # No listing: the root of the media host is not the bucket.",
    "  location = / {",
    "    return 404;",
    "  }",
    "",
    "  # User archives (and imports before Mastodon 4.4) are served only through presigned URLs of the S3 API.",
    ...privatePrefixes(args.keyPrefix).flatMap((prefix) => [`  location ^~ /${prefix} {`, "    return 404;", "  }"]),
    "",
    "  location / {",
    "    if ($request_method = OPTIONS) {",
    ...corsHeaders.map((line) => `      ${line}`),
    `      add_header Access-Control-Allow-Methods "${cors.allowedMethods.join(", ")}" always;`,
    `      add_header Access-Control-Allow-Headers "${cors.allowedHeaders.join(", ")}" always;`,
    `      add_header Access-Control-Max-Age ${cors.maxAgeSeconds} always;`,
    "      return 204;",
    "    }",
    "",
    "    # Anonymous reads only: no credentials and no query string (S3 sub-resources such as ?acl, presigned",
    "    # parameters) reach MinIO, whose bucket policy then serves the public prefixes and nothing else.",
    '    set $args "";',
    '    proxy_set_header Authorization "";',
    ...proxyLines(upstream, args.bucket, args.resolver ?? DEFAULT_NGINX_RESOLVER),
    ...(upstream.protocol === "https:"
      ? [
          "    proxy_ssl_server_name on;",
          "    proxy_ssl_verify on;",
          `    proxy_ssl_trusted_certificate ${SYSTEM_CA_BUNDLE};`,
        ]
      : []),
    ...UPSTREAM_HEADERS_HIDDEN.map((header) => `    proxy_hide_header ${header};`),
    ...nginxCacheLocationLines(args.mediaDomain),
    "",
    ...corsHeaders.map((line) => `    ${line}`),
    `    add_header Access-Control-Expose-Headers "${cors.exposeHeaders.join(", ")}" always;`,
    '    add_header X-Content-Type-Options "nosniff" always;',
    // Uploaded files are never pages: an SVG or HTML file opened from the media host can run nothing.
    `    add_header Content-Security-Policy "default-src 'none'; form-action 'none'" always;`,
    `    add_header Strict-Transport-Security "max-age=${HSTS_MAX_AGE_SECONDS}" always;`,
    "  }",
    "}",
  ];
  return `${lines.join("\n")}\n`;
}

/** Every value lands in nginx syntax: refuse anything that could end a directive or a quoted string. */
function assertSafe(args: NginxProxyArgs): void {
  const problems: string[] = [];
  const domainProblem = hostnameProblem(args.mediaDomain);
  if (domainProblem) problems.push(`mediaDomain ${domainProblem}`);
  if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(args.bucket)) problems.push("bucket must be an S3 bucket name");
  if (args.keyPrefix !== undefined && !/^[A-Za-z0-9._-]+(\/[A-Za-z0-9._-]+)*$/.test(args.keyPrefix)) {
    problems.push("keyPrefix must be path segments of letters, digits, '.', '_' or '-'");
  }
  for (const origin of args.corsOrigins) {
    if (origin !== "*" && !/^https:\/\/[a-z0-9.-]+(:\d{1,5})?$/.test(origin))
      problems.push(`corsOrigins has a bad origin`);
  }
  let endpoint: URL | undefined;
  try {
    endpoint = new URL(args.endpoint);
  } catch {
    problems.push("endpoint must be a URL");
  }
  if (args.resolver !== undefined && !/^(\d{1,3}(\.\d{1,3}){3}|\[[0-9a-f:]+\])(:\d{1,5})?$/i.test(args.resolver)) {
    problems.push("resolver must be an IP address, optionally with :port");
  }
  if (
    endpoint &&
    (!/^https?:$/.test(endpoint.protocol) || endpoint.pathname !== "/" || endpoint.search || endpoint.username)
  ) {
    problems.push("endpoint must be http(s)://host[:port]");
  }
  if (problems.length > 0) throw new Error(`nginxServerBlock: ${problems.join("; ")}`);
}

import { CORS_EXPOSE_HEADERS } from "../../components/cors";

/**
 * The media host's response headers and HTTPS redirect, as zone rules (pure data; providers/cloudflare/edge.ts
 * wires them). Why at the edge:
 * - R2 adds CORS headers only to requests that carry `Origin` (R2 docs, "Configure CORS"), and Cloudflare's cache
 *   ignores `Vary` by default (Cloudflare docs, "Cache-Control", section "Other"). The first cached copy of a
 *   media file, usually fetched by another server without `Origin`, would then be served to browsers without
 *   `Access-Control-Allow-Origin`. A response header transform rule runs after the cache, on every response.
 * - The R2 custom domain answers plain HTTP unless a redirect says otherwise, and sends neither HSTS nor nosniff.
 * Every rule is scoped to the media host: the zone's other hosts are none of this stack's business.
 */

/** HSTS for the media host: two years, as on the AWS stack; no includeSubDomains (the zone is not ours alone). */
export const MEDIA_HSTS = "max-age=63072000";

/** Stable rule references, so that edits update rules in place. */
export const MEDIA_HEADERS_RULE_REF = "mastodon_media_headers";
export const MEDIA_HTTPS_RULE_REF = "mastodon_media_https";
/** The list-mode CORS rule (one for every listed origin). */
export const MEDIA_CORS_RULE_REF = "mastodon_media_headers_cors";

/** A Rules-language string literal. */
function quote(value: string): string {
  return `"${value.replace(/["\\]/g, (char) => `\\${char}`)}"`;
}

/**
 * Matches requests for the media host, in any case and with the trailing dot a fully qualified Host header
 * may carry (both reach the custom domain).
 */
export function mediaHostMatch(mediaDomain: string): string {
  const host = mediaDomain.toLowerCase();
  return `lower(http.host) in {${quote(host)} ${quote(`${host}.`)}}`;
}

/** A header the rule sets: a static value, or an expression evaluated on the request (a dynamic value). */
export type HeaderAction = { operation: "set"; value: string } | { operation: "set"; expression: string };

export interface HeaderRule {
  ref: string;
  description: string;
  expression: string;
  action: "rewrite";
  actionParameters: { headers: Record<string, HeaderAction> };
  enabled: true;
}

/**
 * `Vary` in list mode. The answer depends on the request's `Origin` for every media response, matched or not:
 * a browser cache or another CDN that stored the answer to one origin (or to none) must not serve it to
 * another (Fetch standard, "CORS protocol and HTTP caches"). `set` replaces the header, so it repeats the
 * `Accept-Encoding` that Cloudflare sends on compressed responses.
 */
export const LIST_MODE_VARY = "Accept-Encoding, Origin";

/** The request's first `Origin` header, the one a list-mode rule matches and answers with. */
const REQUEST_ORIGIN = 'http.request.headers["origin"][0]';

/**
 * The `http_response_headers_transform` rules: HSTS and nosniff on every response of the media host; CORS on
 * every response, after the cache. With `*` one static header. With a list of origins, `Vary: Origin` on every
 * response of the media host, and ONE rule for all listed origins (each transform rule counts against the
 * zone plan's quota: Cloudflare docs, "Transform Rules", availability): it matches the request's first `Origin`
 * against the set and answers with that value (a dynamic header value, Cloudflare docs, "Response header
 * modification rules"), so a browser of another origin gets no CORS header, as with R2's own rules.
 */
export function mediaHeaderRules(mediaDomain: string, corsOrigins: readonly string[]): HeaderRule[] {
  const host = mediaHostMatch(mediaDomain);
  const expose = { operation: "set" as const, value: CORS_EXPOSE_HEADERS.join(", ") };
  const security = {
    "Strict-Transport-Security": { operation: "set" as const, value: MEDIA_HSTS },
    "X-Content-Type-Options": { operation: "set" as const, value: "nosniff" },
  };
  const anyOrigin = corsOrigins.includes("*");
  const headers: Record<string, HeaderAction> = anyOrigin
    ? {
        ...security,
        "Access-Control-Allow-Origin": { operation: "set", value: "*" },
        "Access-Control-Expose-Headers": expose,
      }
    : { ...security, Vary: { operation: "set", value: LIST_MODE_VARY } };
  const rules: HeaderRule[] = [
    {
      ref: MEDIA_HEADERS_RULE_REF,
      description: `Mastodon media: HSTS, nosniff${anyOrigin ? " and CORS for any origin" : " and Vary: Origin"} on ${mediaDomain}`,
      expression: `(${host})`,
      action: "rewrite",
      actionParameters: { headers },
      enabled: true,
    },
  ];
  if (anyOrigin) return rules;
  rules.push({
    ref: MEDIA_CORS_RULE_REF,
    description: `Mastodon media: CORS for ${corsOrigins.length === 1 ? corsOrigins[0] : `${corsOrigins.length} origins`} on ${mediaDomain}`,
    expression: `(${host} and ${REQUEST_ORIGIN} in {${corsOrigins.map(quote).join(" ")}})`,
    action: "rewrite",
    actionParameters: {
      headers: {
        "Access-Control-Allow-Origin": { operation: "set", expression: REQUEST_ORIGIN },
        "Access-Control-Expose-Headers": expose,
      },
    },
    enabled: true,
  });
  return rules;
}

/**
 * The `http_request_dynamic_redirect` rule (a Single Redirect): plain HTTP on the media host answers 301 to the
 * same path over HTTPS, query string kept. Not the zone-wide "Always Use HTTPS" setting: only the media host.
 */
export function mediaHttpsRedirectRule(mediaDomain: string) {
  return {
    ref: MEDIA_HTTPS_RULE_REF,
    description: `Mastodon media: redirect plain HTTP to HTTPS on ${mediaDomain}`,
    expression: `(${mediaHostMatch(mediaDomain)} and not ssl)`,
    action: "redirect" as const,
    actionParameters: {
      fromValue: {
        statusCode: 301,
        targetUrl: { expression: 'concat("https://", http.host, http.request.uri.path)' },
        preserveQueryString: true,
      },
    },
    enabled: true as const,
  };
}

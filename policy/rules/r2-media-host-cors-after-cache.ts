import { CLOUDFLARE } from "../resource-types";
import { matches, r2CustomDomains, zonePhaseRules, type ZoneRule } from "../analysis/zone-rules";
import { field, list, record, text, texts } from "../props";
import type { RuleResource, StackFinding, StackRule } from "../rule";

/** Where response header transform rules run, after the cache (Cloudflare Rulesets API, "Phases"). */
const HEADERS_PHASE = "http_response_headers_transform";
const ORIGIN_FIELD = 'http.request.headers["origin"][0]';
/** Stands for a third-party client (Elk, Phanpy) when the bucket allows every origin. */
const SAMPLE_ORIGIN = "https://third-party-client.example";

/**
 * R2 adds CORS headers only to requests that carry `Origin` (R2 docs, "Configure CORS"), and Cloudflare's cache
 * ignores `Vary` by default (Cloudflare docs, "Cache-Control", "Other"): the first cached copy, often fetched
 * by another server without `Origin`, is served to browsers without `Access-Control-Allow-Origin`. So the
 * media host needs a response header transform rule (after the cache) setting it. The zone's rules are run on
 * a request for a media key from each origin the bucket's CORS allows: a matching `rewrite` rule must set
 * `Access-Control-Allow-Origin` to `*`, to that origin, or to the request's own `Origin`; with a list of origins
 * every response (with or without `Origin`) must also carry `Vary` naming `Origin`.
 */
export const r2MediaHostCorsAfterCache: StackRule = {
  kind: "stack",
  name: "r2-media-host-cors-after-cache",
  description:
    "Checks whether every R2 custom domain's zone sets Access-Control-Allow-Origin on the media host after the cache (a response header transform rule), for each origin the bucket's CORS allows.",
  enforcementLevel: "mandatory",
  severity: "high",
  validate(resources) {
    return r2CustomDomains(resources).flatMap((domain): StackFinding[] => {
      const host = text(domain.props.domain) ?? "";
      const rules = zonePhaseRules(resources, text(domain.props.zoneId), HEADERS_PHASE).filter(
        (rule) => rule.action === "rewrite",
      );
      const origins = allowedOrigins(resources, text(domain.props.bucketName));
      // No R2 CORS rule at all: R2 adds no CORS header either, so the edge must, for any client.
      const anyOrigin = origins.length === 0 || origins.includes("*");
      const request = (origin: string) => ({
        "http.host": host,
        "http.request.uri.path": "/media_attachments/files/000/000/001/original/a.png",
        ssl: true,
        [ORIGIN_FIELD]: origin,
      });
      const messages = new Set<string>();
      for (const origin of anyOrigin ? [SAMPLE_ORIGIN] : origins) {
        const set = headersSet(rules, request(origin), messages);
        const allow = set["access-control-allow-origin"];
        const admits =
          allow !== undefined && (allow.value === "*" || allow.value === origin || allow.expression === ORIGIN_FIELD);
        if (!admits)
          messages.add(
            `The R2 custom domain ${host} must set Access-Control-Allow-Origin after the cache (a response header transform rule in its zone) for ${origin}: R2's own CORS headers are lost on cached copies.`,
          );
      }
      if (!anyOrigin && origins.length > 0) {
        for (const origin of ["", origins[0] as string]) {
          const vary = headersSet(rules, request(origin), messages).vary?.value ?? "";
          if (!vary.split(",").some((name) => name.trim().toLowerCase() === "origin")) {
            messages.add(
              `Every response of ${host} must carry Vary: Origin when CORS lists origins: a copy answered to one origin (or to none) would be reused for another.`,
            );
          }
        }
      }
      return [...messages].map((message) => ({ urn: domain.urn, message }));
    });
  },
};

/** The origins the bucket's R2 CORS rules allow (the stack's corsOrigins). */
function allowedOrigins(resources: readonly RuleResource[], bucketName: string | undefined): string[] {
  const cors = resources.filter(
    (resource) => resource.type === CLOUDFLARE.r2BucketCors && text(resource.props.bucketName) === bucketName,
  );
  return [
    ...new Set(
      cors.flatMap((resource) =>
        list(resource.props.rules).flatMap((rule) => texts(field(rule, "allowed", "origins"))),
      ),
    ),
  ];
}

/** The headers the matching rewrite rules set on a request, later rules overriding earlier ones (lower-case names). */
function headersSet(rules: readonly ZoneRule[], fields: Record<string, string | boolean>, problems: Set<string>) {
  const set: Record<string, { value?: string; expression?: string }> = {};
  for (const rule of rules) {
    const matched = matches(rule, fields);
    if (typeof matched === "object") {
      problems.add(
        `The response header rules of the zone must be expressions the plan can evaluate: ${matched.unreadable}.`,
      );
      continue;
    }
    if (!matched) continue;
    for (const [name, header] of Object.entries(record(field(rule.actionParameters, "headers")) ?? {})) {
      if (text(field(header, "operation")) === "remove") delete set[name.toLowerCase()];
      else
        set[name.toLowerCase()] = {
          value: text(field(header, "value")),
          expression: text(field(header, "expression")),
        };
    }
  }
  return set;
}

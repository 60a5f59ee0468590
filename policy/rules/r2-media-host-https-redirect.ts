import { matches, r2CustomDomains, zonePhaseRules, type ZoneRule } from "../analysis/zone-rules";
import { redirectTarget } from "../analysis/redirect-target";
import { RulesLanguageError } from "../analysis/rules-language/parse";
import { field, text } from "../props";
import type { StackFinding, StackRule } from "../rule";

/** Where Single Redirects run (Cloudflare Rulesets API, "Phases"). */
const REDIRECT_PHASE = "http_request_dynamic_redirect";
const PERMANENT = [301, 308];
const MEDIA_PATH = "/media_attachments/files/000/000/001/original/a.png";
/** A chain longer than this is a loop (each hop to a new URL, such as /PREFIX/PREFIX/...). */
const MAX_HOPS = 3;

function fieldsOf(url: string) {
  const parsed = new URL(url);
  return {
    "http.host": parsed.host,
    "http.request.uri.path": parsed.pathname,
    ssl: parsed.protocol === "https:",
    "http.request.full_uri": url,
  };
}

/**
 * Follows an HTTPS media URL through the zone's Single Redirects: a legitimate chain ends within a few hops (an
 * old base on the media host redirects once to the current one); a chain that revisits a URL or keeps going
 * (every hop adds the key prefix again) is a loop, described as its hops. An unreadable rule or target is reported.
 */
function loopOf(
  start: string,
  first: (url: string) => { rule: ZoneRule; matched: boolean | { unreadable: string } } | undefined,
): string | undefined {
  const seen = [start];
  for (let hop = 0; hop <= MAX_HOPS; hop++) {
    const url = seen[seen.length - 1] as string;
    const hit = first(url);
    if (!hit) return undefined;
    if (typeof hit.matched === "object") return `the plan cannot evaluate ${hit.matched.unreadable}`;
    let next: string;
    try {
      next = redirectTarget(
        text(field(hit.rule.actionParameters, "fromValue", "targetUrl", "expression")) ??
          JSON.stringify(text(field(hit.rule.actionParameters, "fromValue", "targetUrl", "value")) ?? ""),
        fieldsOf(url),
      );
    } catch (error) {
      if (!(error instanceof RulesLanguageError)) throw error;
      return `rule ${hit.rule.ref}: ${error.message}`;
    }
    if (seen.includes(next)) return `rule ${hit.rule.ref} redirects ${url} to ${next}, a loop`;
    seen.push(next);
  }
  return `the redirects never end: ${seen.join(" -> ")} -> ...`;
}

/**
 * An R2 custom domain answers plain HTTP with the media itself unless a redirect says otherwise (R2 docs, "Public
 * buckets": the custom domain serves the bucket; TLS settings do not refuse port 80): media, and Mastodon's
 * `S3_PROTOCOL=https` URLs, must not be served in the clear. The zone's Single Redirects are evaluated on a
 * plain-HTTP and an HTTPS request for a media key: the first must meet a permanent redirect to an `https://`
 * target; the second may be redirected (an old base on the media host itself), but the chain must end, never
 * loop (issue #21: a previous base on the media host sent every media URL to /PREFIX/PREFIX/... forever).
 */
export const r2MediaHostHttpsRedirect: StackRule = {
  kind: "stack",
  name: "r2-media-host-https-redirect",
  description:
    "Checks whether every R2 custom domain's zone redirects plain HTTP on the media host to HTTPS with a permanent Single Redirect.",
  enforcementLevel: "mandatory",
  severity: "high",
  validate(resources) {
    return r2CustomDomains(resources).flatMap((domain): StackFinding[] => {
      const host = text(domain.props.domain) ?? "";
      const rules = zonePhaseRules(resources, text(domain.props.zoneId), REDIRECT_PHASE).filter(
        (rule) => rule.action === "redirect",
      );
      const first = (url: string) => {
        const fields = fieldsOf(url);
        for (const rule of rules) {
          const matched = matches(rule, fields);
          if (matched !== false) return { rule, matched };
        }
        return undefined;
      };
      const plain = first(`http://${host}${MEDIA_PATH}`);
      const secure = loopOf(`https://${host}${MEDIA_PATH}`, first);
      const messages: string[] = [];
      if (plain && typeof plain.matched === "object")
        messages.push(
          `The Single Redirects of the zone of ${host} must be expressions the plan can evaluate: ${plain.matched.unreadable}.`,
        );
      if (messages.length > 0) return messages.map((message) => ({ urn: domain.urn, message }));
      const status = Number(field(plain?.rule.actionParameters, "fromValue", "statusCode"));
      const target =
        text(field(plain?.rule.actionParameters, "fromValue", "targetUrl", "expression")) ??
        text(field(plain?.rule.actionParameters, "fromValue", "targetUrl", "value")) ??
        "";
      if (!plain) {
        messages.push(
          `The R2 custom domain ${host} must redirect plain HTTP to HTTPS (a Single Redirect in its zone): R2 serves media over plain HTTP otherwise.`,
        );
      } else if (!PERMANENT.includes(status) || !target.includes("https://")) {
        messages.push(
          `The redirect of plain HTTP on ${host} (rule ${plain.rule.ref}) must be permanent (301 or 308) and go to https://: found ${Number.isNaN(status) ? "no status" : status} to ${target || "no target"}.`,
        );
      }
      if (secure) messages.push(`HTTPS requests for media on ${host} must end at the media, not loop: ${secure}.`);
      return messages.map((message) => ({ urn: domain.urn, message }));
    });
  },
};

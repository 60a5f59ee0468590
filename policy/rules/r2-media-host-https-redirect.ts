import { matches, r2CustomDomains, zonePhaseRules } from "../analysis/zone-rules";
import { field, text } from "../props";
import type { StackFinding, StackRule } from "../rule";

/** Where Single Redirects run (Cloudflare Rulesets API, "Phases"). */
const REDIRECT_PHASE = "http_request_dynamic_redirect";
const PERMANENT = [301, 308];

/**
 * An R2 custom domain answers plain HTTP with the media itself unless a redirect says otherwise (R2 docs, "Public
 * buckets": the custom domain serves the bucket; TLS settings do not refuse port 80): media, and Mastodon's
 * `S3_PROTOCOL=https` URLs, must not be served in the clear. The zone's Single Redirects are evaluated on a
 * plain-HTTP and an HTTPS request for a media key: the first must meet a permanent redirect to an `https://`
 * target, the second must not (an HTTPS request redirected to itself is a loop).
 */
export const r2MediaHostHttpsRedirect: StackRule = {
  kind: "stack",
  name: "r2-media-host-https-redirect",
  description: "Checks whether every R2 custom domain's zone redirects plain HTTP on the media host to HTTPS with a permanent Single Redirect.",
  enforcementLevel: "mandatory",
  severity: "high",
  validate(resources) {
    return r2CustomDomains(resources).flatMap((domain): StackFinding[] => {
      const host = text(domain.props.domain) ?? "";
      const rules = zonePhaseRules(resources, text(domain.props.zoneId), REDIRECT_PHASE).filter((rule) => rule.action === "redirect");
      const request = (ssl: boolean) => ({ "http.host": host, "http.request.uri.path": "/media_attachments/files/000/000/001/original/a.png", ssl, "http.request.full_uri": `${ssl ? "https" : "http"}://${host}/media_attachments/files/000/000/001/original/a.png` });
      const first = (ssl: boolean) => {
        for (const rule of rules) {
          const matched = matches(rule, request(ssl));
          if (matched !== false) return { rule, matched };
        }
        return undefined;
      };
      const plain = first(false);
      const secure = first(true);
      const messages: string[] = [];
      for (const hit of [plain, secure]) {
        if (hit && typeof hit.matched === "object") messages.push(`The Single Redirects of the zone of ${host} must be expressions the plan can evaluate: ${hit.matched.unreadable}.`);
      }
      if (messages.length > 0) return messages.map((message) => ({ urn: domain.urn, message }));
      const status = Number(field(plain?.rule.actionParameters, "fromValue", "statusCode"));
      const target = text(field(plain?.rule.actionParameters, "fromValue", "targetUrl", "expression")) ?? text(field(plain?.rule.actionParameters, "fromValue", "targetUrl", "value")) ?? "";
      if (!plain) {
        messages.push(`The R2 custom domain ${host} must redirect plain HTTP to HTTPS (a Single Redirect in its zone): R2 serves media over plain HTTP otherwise.`);
      } else if (!PERMANENT.includes(status) || !target.includes("https://")) {
        messages.push(`The redirect of plain HTTP on ${host} (rule ${plain.rule.ref}) must be permanent (301 or 308) and go to https://: found ${Number.isNaN(status) ? "no status" : status} to ${target || "no target"}.`);
      }
      if (secure) messages.push(`HTTPS requests for media on ${host} must not be redirected (rule ${secure.rule.ref} matches them): the media URLs would never answer.`);
      return messages.map((message) => ({ urn: domain.urn, message }));
    });
  },
};

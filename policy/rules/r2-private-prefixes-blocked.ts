import { PRIVATE_PREFIXES } from "../../components/prefixes";
import { mediaHostRequests, type MediaHostRequest } from "../analysis/media-host-requests";
import { evaluateExpression } from "../analysis/rules-language/evaluate";
import { parseExpression, RulesLanguageError, type Expr } from "../analysis/rules-language/parse";
import { field, list, text } from "../props";
import { CLOUDFLARE } from "../resource-types";
import type { RuleResource, StackFinding, StackRule } from "../rule";

/** The zone phase where custom WAF rules run (Cloudflare Rulesets API, "Phases"). */
const WAF_PHASE = "http_request_firewall_custom";

/** How many requests a finding lists before "and N more". */
const SHOWN = 4;

/**
 * R2 has no bucket policies: a custom domain serves every key, so `backups/` and `imports/` are only kept
 * private by the zone's WAF custom rules (Cloudflare docs, "R2 public buckets", custom domains). The rule judges
 * those rules by what they do, not by the strings they contain: it runs the zone's custom rules in order, as the
 * ruleset engine does (Cloudflare WAF docs, "Custom rules": `block` and the challenges end evaluation, `skip` with
 * ruleset `current` skips the remaining custom rules, `log` goes on), on the sample requests of
 * analysis/media-host-requests.ts. Every private request must be blocked, no public one may be, and an
 * expression the evaluator cannot read is reported rather than trusted.
 */
export const r2PrivatePrefixesBlocked: StackRule = {
  kind: "stack",
  name: "r2-private-prefixes-blocked",
  description:
    "Checks whether the WAF custom rules of every R2 custom domain's zone block backups/ and imports/ on the media host in every request form (encoded slash, upper-case or trailing-dot host, any key prefix) and leave public media served.",
  enforcementLevel: "mandatory",
  severity: "critical",
  validate(resources) {
    const rulesets = resources.filter(
      (resource) => resource.type === CLOUDFLARE.ruleset && text(resource.props.phase) === WAF_PHASE,
    );
    return resources
      .filter((resource) => resource.type === CLOUDFLARE.r2CustomDomain && resource.props.enabled !== false)
      .flatMap((domain) =>
        findingsFor(
          domain,
          rulesets.filter((ruleset) => text(ruleset.props.zoneId) === text(domain.props.zoneId)).flatMap(rulesOf),
        ),
      );
  },
};

interface CustomRule {
  ref: string;
  action: string;
  skipsRemaining: boolean;
  expression: Expr | RulesLanguageError;
}

function rulesOf(ruleset: RuleResource): CustomRule[] {
  return list(ruleset.props.rules).flatMap((rule, index) => {
    if (field(rule, "enabled") === false) return [];
    const source = text(field(rule, "expression")) ?? "";
    let expression: CustomRule["expression"];
    try {
      expression = parseExpression(source);
    } catch (error) {
      if (!(error instanceof RulesLanguageError)) throw error;
      expression = error;
    }
    return [
      {
        ref: text(field(rule, "ref")) ?? `rule ${index + 1}`,
        action: text(field(rule, "action")) ?? "",
        skipsRemaining: text(field(rule, "actionParameters", "ruleset")) === "current",
        expression,
      },
    ];
  });
}

type Outcome = { blocked: boolean } | { unreadable: string };

/** The custom rules' decision on one request, in rule order. */
function decide(rules: readonly CustomRule[], request: MediaHostRequest): Outcome {
  for (const rule of rules) {
    let matched: boolean;
    try {
      if (rule.expression instanceof RulesLanguageError) throw rule.expression;
      matched = evaluateExpression(rule.expression, request.fields);
    } catch (error) {
      if (!(error instanceof RulesLanguageError)) throw error;
      return { unreadable: `rule ${rule.ref}: ${error.message}` };
    }
    if (!matched) continue;
    if (rule.action === "block") return { blocked: true };
    if (["challenge", "js_challenge", "managed_challenge"].includes(rule.action)) return { blocked: false };
    if (rule.action === "skip" && rule.skipsRemaining) return { blocked: false };
  }
  return { blocked: false };
}

function findingsFor(domain: RuleResource, rules: readonly CustomRule[]): StackFinding[] {
  const host = text(domain.props.domain) ?? "";
  const leaks: MediaHostRequest[] = [];
  const overblocked: MediaHostRequest[] = [];
  const unreadable = new Set<string>();
  let anyBlocked = false;
  for (const request of mediaHostRequests(host)) {
    const outcome = decide(rules, request);
    if ("unreadable" in outcome) {
      unreadable.add(outcome.unreadable);
    } else if (request.expect === "blocked" && !outcome.blocked) {
      leaks.push(request);
    } else if (request.expect === "allowed" && outcome.blocked) {
      overblocked.push(request);
    } else if (outcome.blocked) {
      anyBlocked = true;
    }
  }
  const messages: string[] = [];
  if (unreadable.size > 0) {
    messages.push(
      `The WAF custom rules of the zone of ${host} must be expressions the plan can evaluate, so that it can prove backups/ and imports/ private: ${[...unreadable].join("; ")}.`,
    );
  }
  if (leaks.length > 0) {
    const prefixes = PRIVATE_PREFIXES.filter((prefix) =>
      leaks.some((request) => String(request.fields["http.request.uri.path"]).includes(`/${prefix.slice(0, -1)}`)),
    );
    const shown = anyBlocked ? ` These requests get through: ${sample(leaks)}.` : "";
    messages.push(
      `The R2 custom domain ${host} must have a WAF rule in its zone blocking ${prefixes.map((prefix) => `/${prefix}`).join(" and ")}: R2 serves every key on a custom domain.${shown}`,
    );
  }
  if (overblocked.length > 0) {
    messages.push(
      `The WAF custom rules of the zone of ${host} must not block public media or other hosts: they block ${sample(overblocked)}.`,
    );
  }
  return messages.map((message) => ({ urn: domain.urn, message }));
}

function sample(requests: readonly MediaHostRequest[]): string {
  const shown = requests
    .slice(0, SHOWN)
    .map((request) => request.label)
    .join(", ");
  return requests.length > SHOWN ? `${shown} (and ${requests.length - SHOWN} more)` : shown;
}

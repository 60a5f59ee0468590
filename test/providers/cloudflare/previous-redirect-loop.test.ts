import { describe, expect, it } from "vitest";
import { evaluateExpression } from "../../../policy/analysis/rules-language/evaluate";
import { previousMediaRedirectRules } from "../../../providers/cloudflare/previous-media-redirect";

/**
 * The Single Redirects of previous media bases, followed as Cloudflare would: a rule matches a request when its
 * expression does (evaluated by the plan's Rules-language evaluator), and its target is computed from the two
 * target forms the stack writes (`concat("https://HOST", http.request.uri.path)` and one `wildcard_replace` of
 * the full URI, Cloudflare docs, "Functions"). A current media URL must never be redirected (issue #21: adding a
 * key prefix on the same host answered 301 to /PREFIX/PREFIX/... forever), and an old one must land on the
 * current URL of the same key in one hop.
 */
type Rule = ReturnType<typeof previousMediaRedirectRules>[number];

function fieldsOf(url: string) {
  const parsed = new URL(url);
  return {
    "http.host": parsed.host,
    "http.request.uri.path": parsed.pathname,
    "http.request.full_uri": url,
    ssl: parsed.protocol === "https:",
  };
}

function target(rule: Rule, url: string): string {
  const expression = rule.actionParameters.fromValue.targetUrl.expression;
  const concat = /^concat\("([^"]+)", http\.request\.uri\.path\)$/.exec(expression);
  if (concat) return `${concat[1]}${new URL(url).pathname}`;
  const replace = /^wildcard_replace\(http\.request\.full_uri, "([^"]+)", "([^"]+)"\)$/.exec(expression);
  if (!replace) throw new Error(`unexpected target ${expression}`);
  const [pattern, replacement] = [replace[1]!, replace[2]!];
  const prefix = pattern.slice(0, -1);
  expect(url.startsWith(prefix)).toBe(true);
  return replacement.replace("${1}", url.slice(prefix.length));
}

/** Where a URL ends up: the redirect chain, stopping when no rule matches (or after 5 hops: a loop). */
function follow(rules: readonly Rule[], url: string): string[] {
  const chain = [url];
  for (let hop = 0; hop < 5; hop++) {
    const current = chain[chain.length - 1]!;
    const rule = rules.find((candidate) => evaluateExpression(candidate.expression, fieldsOf(current)));
    if (!rule) return chain;
    chain.push(target(rule, current));
  }
  return chain;
}

const KEY = "media_attachments/files/000/000/001/original/0123456789abcdef.png";

describe.each([
  { previous: ["files.example.com"], mediaDomain: "files.example.com", keyPrefix: "social" },
  { previous: ["files.example.com/a"], mediaDomain: "files.example.com", keyPrefix: "a/b" },
  { previous: ["files.example.com", "old.example.com/x"], mediaDomain: "files.example.com", keyPrefix: "social" },
  { previous: ["old.example.com"], mediaDomain: "files.example.com", keyPrefix: "social" },
  { previous: ["files.example.com/social"], mediaDomain: "files.example.com", keyPrefix: undefined },
])("previous $previous, now $mediaDomain with key prefix $keyPrefix", ({ previous, mediaDomain, keyPrefix }) => {
  const rules = previousMediaRedirectRules(previous, mediaDomain, keyPrefix);
  const current = `https://${mediaDomain}/${keyPrefix ? `${keyPrefix}/` : ""}${KEY}`;

  it("never redirects a current media URL", () => {
    expect(follow(rules, current)).toEqual([current]);
  });

  it("sends each old URL to the current URL of the same key in one hop", () => {
    for (const base of previous) {
      const [host, ...path] = base.split("/");
      const old = `https://${host!.toLowerCase()}/${path.length > 0 ? `${path.join("/")}/` : ""}${KEY}`;
      expect(follow(rules, old)).toEqual([old, current]);
    }
  });
});

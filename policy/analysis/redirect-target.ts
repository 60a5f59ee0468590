import { parseExpression, RulesLanguageError, type Expr } from "./rules-language/parse";
import type { FieldValues } from "./rules-language/evaluate";

/**
 * The URL a Single Redirect sends a request to, from its target expression (Cloudflare docs, "Single Redirects",
 * dynamic target URL; "Functions": `concat` and `wildcard_replace`). The subset the stacks write: `concat` of
 * string literals and fields, and `wildcard_replace(field, "pattern", "replacement")` (case-insensitive `*`,
 * `${N}` for the Nth wildcard; a pattern that does not match returns the source unchanged). Anything else is a
 * RulesLanguageError, never a guess.
 */
export function redirectTarget(expression: string, fields: FieldValues): string {
  return text(parseExpression(expression), fields);
}

function text(node: Expr, fields: FieldValues): string {
  if (node.kind === "literal" && typeof node.value === "string") return node.value;
  if (node.kind === "field") {
    const value = fields[node.name];
    if (typeof value !== "string")
      throw new RulesLanguageError(`the field ${node.name} is not modelled by the plan's requests`);
    return value;
  }
  if (node.kind === "call" && node.name === "concat") return node.args.map((arg) => text(arg, fields)).join("");
  if (node.kind === "call" && node.name === "wildcard_replace" && node.args.length === 3) {
    const [source, pattern, replacement] = node.args.map((arg) => text(arg, fields)) as [string, string, string];
    const regex = new RegExp(
      `^${pattern
        .split("*")
        .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"))
        .join("(.*)")}$`,
      "is",
    );
    const match = regex.exec(source);
    if (!match) return source;
    return replacement.replace(/\$\{(\d+)\}/g, (_all, index: string) => match[Number(index)] ?? "");
  }
  throw new RulesLanguageError(
    "a redirect target outside concat() and wildcard_replace() is not one the plan can evaluate",
  );
}

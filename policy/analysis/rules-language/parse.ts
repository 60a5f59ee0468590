/**
 * A parser for the subset of Cloudflare's Rules language that WAF guards on a media host use (Cloudflare
 * docs, Ruleset Engine > Rules language: "Expressions", "Operators and grouping symbols", "Values",
 * "Functions"). Anything outside the subset is a RulesLanguageError, never a guess: a policy that cannot read
 * an expression must say so rather than pass it.
 *
 * Grammar, loosest binding first (the documented precedence: not, and, xor, or):
 *   or      := xor (("or" | "||") xor)*
 *   xor     := and (("xor" | "^^") and)*
 *   and     := unary (("and" | "&&") unary)*
 *   unary   := ("not" | "!") unary | primary
 *   primary := "(" or ")" | value [operator (value | set)]
 *   value   := string | raw string | integer | field | function "(" value ("," value)* ")"
 *   set     := "{" (string | integer)* "}"
 */

export class RulesLanguageError extends Error {}

export type Expr =
  | { kind: "logical"; op: "and" | "or" | "xor"; left: Expr; right: Expr }
  | { kind: "not"; operand: Expr }
  | { kind: "compare"; op: CompareOp; left: Expr; right: Expr }
  | { kind: "call"; name: string; args: Expr[] }
  | { kind: "field"; name: string }
  | { kind: "literal"; value: string | number }
  | { kind: "set"; values: (string | number)[] };

export type CompareOp =
  "eq" | "ne" | "lt" | "le" | "gt" | "ge" | "contains" | "matches" | "wildcard" | "strict wildcard" | "in";

const SYMBOLS: Record<string, string> = {
  "==": "eq",
  "!=": "ne",
  "<=": "le",
  ">=": "ge",
  "<": "lt",
  ">": "gt",
  "~": "matches",
  "&&": "and",
  "||": "or",
  "^^": "xor",
  "!": "not",
};
const COMPARE_WORDS = new Set(["eq", "ne", "lt", "le", "gt", "ge", "contains", "matches", "wildcard", "strict", "in"]);

type Token = { type: "string" | "number" | "word" | "punct"; text: string; value?: string | number };

function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let at = 0;
  while (at < source.length) {
    const rest = source.slice(at);
    const space = /^\s+/.exec(rest);
    if (space) {
      at += space[0].length;
      continue;
    }
    if (rest[0] === '"') {
      let value = "";
      let end = 1;
      for (; end < rest.length && rest[end] !== '"'; end++) {
        if (rest[end] === "\\") {
          const escaped = rest[++end];
          if (escaped !== '"' && escaped !== "\\")
            throw new RulesLanguageError(`unsupported escape \\${escaped ?? ""} in a string`);
          value += escaped;
        } else value += rest[end];
      }
      if (end >= rest.length) throw new RulesLanguageError("unterminated string");
      tokens.push({ type: "string", text: rest.slice(0, end + 1), value });
      at += end + 1;
      continue;
    }
    const raw = /^r(#*)"([\s\S]*?)"\1/.exec(rest);
    if (raw) {
      tokens.push({ type: "string", text: raw[0], value: raw[2] as string });
      at += raw[0].length;
      continue;
    }
    const number = /^\d+/.exec(rest);
    if (number) {
      tokens.push({ type: "number", text: number[0], value: Number(number[0]) });
      at += number[0].length;
      continue;
    }
    const word = /^[a-z_][a-z0-9_.]*/i.exec(rest);
    if (word) {
      tokens.push({ type: "word", text: word[0] });
      at += word[0].length;
      continue;
    }
    const punct = /^(==|!=|<=|>=|&&|\|\||\^\^|[()<>{},!~[\]*])/.exec(rest);
    if (!punct) throw new RulesLanguageError(`unexpected character ${JSON.stringify(rest[0])} at ${at}`);
    tokens.push({ type: "punct", text: punct[0] });
    at += punct[0].length;
  }
  return tokens;
}

/** Parses an expression; throws RulesLanguageError for anything outside the subset above. */
export function parseExpression(source: string): Expr {
  const tokens = tokenize(source);
  let position = 0;
  const peek = () => tokens[position];
  const word = (token: Token | undefined) =>
    token ? (token.type === "punct" ? (SYMBOLS[token.text] ?? token.text) : token.text) : undefined;
  const expect = (text: string) => {
    if (peek()?.text !== text)
      throw new RulesLanguageError(`expected ${text} at token ${position} (${peek()?.text ?? "end"})`);
    position++;
  };

  const logical = (op: "or" | "xor" | "and", next: () => Expr) => (): Expr => {
    let left = next();
    while (word(peek()) === op && peek()?.type !== "string") {
      position++;
      left = { kind: "logical", op, left, right: next() };
    }
    return left;
  };
  const unary = (): Expr => {
    if (word(peek()) === "not" && peek()?.type !== "string") {
      position++;
      return { kind: "not", operand: unary() };
    }
    return primary();
  };
  const and = logical("and", unary);
  const xor = logical("xor", and);
  const or = logical("or", xor);

  function primary(): Expr {
    if (peek()?.text === "(") {
      position++;
      const inner = or();
      expect(")");
      return inner;
    }
    const left = value();
    const operator = word(peek());
    if (
      peek()?.type === "string" ||
      operator === undefined ||
      (!COMPARE_WORDS.has(operator) && !Object.values(SYMBOLS).includes(operator))
    )
      return left;
    if (["and", "or", "xor", "not"].includes(operator)) return left;
    position++;
    let op = operator as CompareOp;
    if (operator === "strict") {
      if (peek()?.text !== "wildcard") throw new RulesLanguageError("expected wildcard after strict");
      position++;
      op = "strict wildcard";
    }
    const right = op === "in" ? set() : value();
    return { kind: "compare", op, left, right };
  }

  /**
   * Map keys and array indexes after a field (`http.request.headers["origin"][0]`, "Values": maps and arrays), as
   * part of the field's name: a request models `http.request.headers["origin"][0]` as one field. `[*]` (every
   * element, only inside any()/all()) is outside the subset.
   */
  function indexes(): string {
    let suffix = "";
    while (peek()?.text === "[") {
      position++;
      const token = tokens[position++];
      if (!token || (token.type !== "string" && token.type !== "number"))
        throw new RulesLanguageError(`unsupported index ${token?.text ?? "end"}`);
      suffix += token.type === "string" ? `[${JSON.stringify(token.value)}]` : `[${token.value}]`;
      expect("]");
    }
    return suffix;
  }

  function set(): Expr {
    expect("{");
    const values: (string | number)[] = [];
    while (peek() && peek()?.text !== "}") {
      const token = tokens[position++] as Token;
      if (token.type !== "string" && token.type !== "number")
        throw new RulesLanguageError(`unsupported set member ${token.text}`);
      values.push(token.value as string | number);
    }
    expect("}");
    return { kind: "set", values };
  }

  function value(): Expr {
    const token = tokens[position++];
    if (!token) throw new RulesLanguageError("unexpected end of expression");
    if (token.type === "string" || token.type === "number")
      return { kind: "literal", value: token.value as string | number };
    if (token.type !== "word") throw new RulesLanguageError(`unexpected ${token.text}`);
    if (peek()?.text === "[") return { kind: "field", name: token.text + indexes() };
    if (peek()?.text !== "(") return { kind: "field", name: token.text };
    position++;
    const args: Expr[] = [];
    while (peek()?.text !== ")") {
      if (args.length > 0) expect(",");
      args.push(value());
    }
    expect(")");
    return { kind: "call", name: token.text, args };
  }

  const expression = or();
  if (position !== tokens.length)
    throw new RulesLanguageError(`unexpected ${tokens[position]?.text} after the expression`);
  return expression;
}

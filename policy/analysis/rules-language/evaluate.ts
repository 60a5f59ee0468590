import { parseExpression, RulesLanguageError, type Expr } from "./parse";

/**
 * Evaluates a Rules-language expression (parse.ts) on one request, as Cloudflare's ruleset engine would.
 * `fields` holds the request's field values by name (`http.host`, `http.request.uri.path`...); a field the
 * request does not model, an unknown function or a type mismatch is a RulesLanguageError.
 *
 * Functions, as Cloudflare's "Functions" reference defines them: lower(), upper(), len(),
 * url_decode(source[, "r"]) (decodes %XX sequences and `+` to a space; "r" decodes repeatedly),
 * starts_with(source, literal), ends_with(source, literal).
 */
export type FieldValues = Readonly<Record<string, string | number | boolean>>;
type Value = string | number | boolean | (string | number)[];

export function evaluateExpression(expression: string | Expr, fields: FieldValues): boolean {
  const tree = typeof expression === "string" ? parseExpression(expression) : expression;
  const result = evaluate(tree, fields);
  if (typeof result !== "boolean")
    throw new RulesLanguageError("the expression is not a condition (it gives a value, not true or false)");
  return result;
}

function evaluate(node: Expr, fields: FieldValues): Value {
  switch (node.kind) {
    case "literal":
      return node.value;
    case "set":
      return node.values;
    case "field": {
      const value = fields[node.name];
      if (value === undefined)
        throw new RulesLanguageError(`the field ${node.name} is not modelled by the plan's requests`);
      return value;
    }
    case "not":
      return !bool(evaluate(node.operand, fields));
    case "logical": {
      const left = bool(evaluate(node.left, fields));
      const right = bool(evaluate(node.right, fields));
      return node.op === "and" ? left && right : node.op === "or" ? left || right : left !== right;
    }
    case "call":
      return call(
        node.name,
        node.args.map((arg) => evaluate(arg, fields)),
      );
    case "compare":
      return compare(node.op, evaluate(node.left, fields), evaluate(node.right, fields));
  }
}

function call(name: string, args: Value[]): Value {
  const [first, second] = args;
  switch (name) {
    case "lower":
      return str(first).toLowerCase();
    case "upper":
      return str(first).toUpperCase();
    case "len":
      return str(first).length;
    case "url_decode": {
      const recursive = second !== undefined && str(second).includes("r");
      let text = str(first);
      for (let previous = ""; previous !== text;) {
        previous = text;
        text = urlDecode(text);
        if (!recursive) break;
      }
      return text;
    }
    case "starts_with":
      return str(first).startsWith(str(second));
    case "ends_with":
      return str(first).endsWith(str(second));
    default:
      throw new RulesLanguageError(`the function ${name}() is not supported by the plan's evaluator`);
  }
}

function compare(op: string, left: Value, right: Value): boolean {
  switch (op) {
    case "eq":
      return left === right;
    case "ne":
      return left !== right;
    case "lt":
    case "le":
    case "gt":
    case "ge": {
      const [a, b] = [num(left), num(right)];
      return op === "lt" ? a < b : op === "le" ? a <= b : op === "gt" ? a > b : a >= b;
    }
    case "contains":
      return str(left).includes(str(right));
    case "in":
      if (!Array.isArray(right)) throw new RulesLanguageError("in needs a set {...}");
      return right.includes(left as string | number);
    case "matches":
      return regex(str(right)).test(str(left));
    case "wildcard":
    case "strict wildcard":
      return wildcard(str(right), op === "wildcard").test(str(left));
    default:
      throw new RulesLanguageError(`the operator ${op} is not supported`);
  }
}

/** Percent-decoding byte sequences as UTF-8, `+` as a space; a malformed sequence stays as it is. */
function urlDecode(text: string): string {
  const plus = text.replace(/\+/g, " ");
  return plus.replace(/(%[0-9a-f]{2})+/gi, (run) => {
    try {
      return decodeURIComponent(run);
    } catch {
      return run;
    }
  });
}

function regex(pattern: string): RegExp {
  try {
    return new RegExp(pattern, "u");
  } catch {
    throw new RulesLanguageError(`the regular expression ${JSON.stringify(pattern)} is not one the plan can evaluate`);
  }
}

/** Cloudflare's `wildcard` (case-insensitive) and `strict wildcard`: `*` matches any run of characters, whole value. */
function wildcard(pattern: string, caseInsensitive: boolean): RegExp {
  const source = pattern
    .split("*")
    .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"))
    .join(".*");
  return new RegExp(`^${source}$`, caseInsensitive ? "is" : "s");
}

function bool(value: Value): boolean {
  if (typeof value !== "boolean") throw new RulesLanguageError(`expected a condition, got ${JSON.stringify(value)}`);
  return value;
}

function str(value: Value | undefined): string {
  if (typeof value !== "string") throw new RulesLanguageError(`expected a string, got ${JSON.stringify(value)}`);
  return value;
}

function num(value: Value): number {
  if (typeof value !== "number") throw new RulesLanguageError(`expected a number, got ${JSON.stringify(value)}`);
  return value;
}

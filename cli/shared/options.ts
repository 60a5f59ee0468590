import { parseArgs, type ParseArgsOptionsConfig } from "node:util";
import { takeJsonOption } from "./json-option";

/** What a command line holds: each option's value (a list for a repeatable one), the positionals, `--json`'s FILE. */
export interface ParsedOptions {
  values: Record<string, string | boolean | string[] | undefined>;
  positionals: string[];
  /** With `json: true`: undefined when `--json` is absent, `"-"` for standard output, else the file. */
  json?: string;
}

export interface OptionSettings {
  /** Positional arguments are allowed (else each is a problem). */
  positionals?: boolean;
  /** The command takes `--json [FILE]` (cli/shared/json-option.ts). */
  json?: boolean;
  /** The problem for an unexpected positional argument, in the command's words (default: `unexpected argument X`). */
  unexpected?: (argument: string) => string;
  /** What an option's value is, for "needs a value (...)": e.g. `{ json: "a file name" }`. */
  valueNames?: Record<string, string>;
}

/**
 * The one command-line parser of plan, verify, doctor, migrate and purge: node:util parseArgs, strict, with
 * `tokens` to see repeats. A repeated single-value option (`--env a --env b`) is a problem naming it, never a
 * silent last-wins; options declared `multiple: true` (purge's --url) stay repeatable, and a repeated boolean
 * flag changes nothing. parseArgs' own messages ("Option '--env <value>' argument missing") are reworded as
 * `--env needs a value`. Problems have no command name: answerArguments (cli/shared/command.ts) prints each as
 * `NAME: problem`, then the usage, exit 2.
 */
export function parseOptions(
  argv: readonly string[],
  options: ParseArgsOptionsConfig,
  settings: OptionSettings = {},
): ParsedOptions | { problems: string[] } {
  const problems: string[] = [];
  let args = [...argv];
  let json: string | undefined;
  if (settings.json) {
    ({ argv: args, json } = takeJsonOption(args));
    if (args.some((arg) => arg === "--json" || arg.startsWith("--json="))) problems.push(repeated("json"));
    args = args.filter((arg) => arg !== "--json" && !arg.startsWith("--json="));
  }
  let parsed: ReturnType<
    typeof parseArgs<{ options: ParseArgsOptionsConfig; tokens: true; allowPositionals: boolean; strict: true }>
  >;
  try {
    parsed = parseArgs({ args, options, strict: true, allowPositionals: settings.positionals === true, tokens: true });
  } catch (error) {
    return { problems: [...problems, explainParseError(error as NodeJS.ErrnoException, settings)] };
  }
  const seen = new Map<string, number>();
  for (const token of parsed.tokens) {
    if (token.kind !== "option") continue;
    const spec = options[token.name];
    if (!spec || spec.type !== "string" || spec.multiple) continue;
    const count = (seen.get(token.name) ?? 0) + 1;
    seen.set(token.name, count);
    if (count === 2) problems.push(repeated(token.name));
  }
  if (problems.length > 0) return { problems };
  return {
    values: parsed.values as ParsedOptions["values"],
    positionals: parsed.positionals,
    ...(json !== undefined ? { json } : {}),
  };
}

function repeated(name: string): string {
  return `--${name} is given more than once: give it once (which one was meant is not guessed)`;
}

/** parseArgs' errors (node's ERR_PARSE_ARGS_* codes) in the commands' words; any other error is rethrown. */
export function explainParseError(
  error: NodeJS.ErrnoException,
  settings: Pick<OptionSettings, "unexpected" | "valueNames"> = {},
): string {
  const quoted = /'([^']+)'/.exec(error.message)?.[1] ?? "";
  const flag = /--[A-Za-z0-9-]+/.exec(error.message)?.[0] ?? quoted;
  switch (error.code) {
    case "ERR_PARSE_ARGS_UNKNOWN_OPTION":
      return `unknown option ${quoted.split("=")[0]}`;
    case "ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL":
      return settings.unexpected ? settings.unexpected(quoted) : `unexpected argument ${JSON.stringify(quoted)}`;
    case "ERR_PARSE_ARGS_INVALID_OPTION_VALUE": {
      if (error.message.includes("does not take an argument")) return `${flag} takes no value`;
      const what = settings.valueNames?.[flag.slice(2)];
      if (what) return `${flag} needs a value (${what})`;
      if (error.message.includes("ambiguous"))
        return `${flag} needs a value (a value starting with - is written ${flag}=VALUE)`;
      return `${flag} needs a value`;
    }
    default:
      throw error;
  }
}

import { UserError } from "../../components/errors";
import { parseOptions } from "../shared/options";

export const USAGE = `usage: npm run plan -- --stack NAME [--json FILE] [--show-secrets] [--against OLD.json] [--fail-on-loss]
                         [--markdown FILE] [--review PR]

  -s, --stack NAME  plan Pulumi.NAME.yaml
  --json FILE       write the plan as JSON (secrets masked unless --show-secrets)
  --show-secrets    show secret values on the console and in the JSON (never in --markdown)
  --against FILE    compare with a plan of the same stack written earlier by --json: added, removed and changed
                    resources, and a line starting with !!! for every bucket that would be replaced, deleted or
                    unprotected
  --fail-on-loss    with --against: exit 1 when a bucket of a production stack would be replaced, deleted or
                    unprotected
  --markdown FILE   write the plan (and the comparison) as Markdown for a CI job summary, secrets always masked
  --review PR       write Pulumi.pr-PR.yaml, the review stack of pull request PR derived from --stack
                    (environment test, its own bucket and media host), and plan that stack
  -h, --help        this text

Exit codes: 0 clean, 1 a mandatory policy violation (or a bucket lost, with --fail-on-loss), 2 a usage mistake
or an invalid config, 3 a bug in the plan.`;

/** A mistake in the command line: printed with the usage, exit 2, never a stack trace. */
export class UsageError extends UserError {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

export interface PlanArgs {
  stack: string;
  json?: string;
  showSecrets: boolean;
  against?: string;
  failOnLoss: boolean;
  markdown?: string;
  review?: string;
  help: boolean;
}

const OPTIONS = {
  stack: { type: "string", short: "s" },
  json: { type: "string" },
  "show-secrets": { type: "boolean", default: false },
  against: { type: "string" },
  "fail-on-loss": { type: "boolean", default: false },
  markdown: { type: "string" },
  review: { type: "string" },
  help: { type: "boolean", short: "h", default: false },
} as const;

/**
 * Parses the plan's command line (node:util parseArgs, strict). Every mistake is a UsageError that says what
 * was wrong: an unknown flag, a flag without its value, a bare stack name, no --stack at all.
 */
export function parsePlanArgs(argv: readonly string[]): PlanArgs {
  // A repeated option is refused (one plan of one stack per run, never a silent pick): cli/shared/options.ts.
  const parsed = parseOptions(argv, OPTIONS, {
    valueNames: { json: "a file name", markdown: "a file name", against: "a file name" },
    unexpected: (quoted) =>
      /^[A-Za-z0-9_.-]+$/.test(quoted) && !argv.includes("--stack") && !argv.includes("-s")
        ? `unexpected argument ${quoted}: name the stack with --stack ${quoted} or -s ${quoted} (through npm, after --: npm run plan -- -s ${quoted})`
        : `unexpected argument ${quoted}`,
  });
  if ("problems" in parsed) throw new UsageError(parsed.problems[0] ?? "");
  const values = parsed.values as { [K in keyof typeof OPTIONS]?: string | boolean };
  const text = (name: keyof typeof OPTIONS): string | undefined => {
    const value = values[name] as string | undefined;
    if (value === "") throw new UsageError(`--${name} needs a value`);
    return value;
  };
  const args: PlanArgs = {
    stack: text("stack") ?? "",
    json: text("json"),
    showSecrets: values["show-secrets"] === true,
    against: text("against"),
    failOnLoss: values["fail-on-loss"] === true,
    markdown: text("markdown"),
    review: text("review"),
    help: values.help === true,
  };
  if (!args.help && !args.stack) throw new UsageError("--stack NAME is required (the stack file Pulumi.NAME.yaml)");
  if (args.failOnLoss && args.against === undefined)
    throw new UsageError("--fail-on-loss needs --against OLD.json to compare with");
  return args;
}

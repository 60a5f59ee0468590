import { parseOptions } from "../shared/options";

export const USAGE = `usage: npm run migrate -- (--from local:PATH | --from-env OLD.env) (--to STACK | --to-env NEW.env) [--run] [--start YYYY-MM-DD]

  --from local:PATH   the media is on the web host's disk: PATH is Mastodon's public/system directory
  --from-env OLD.env  the media is in another bucket: the current .env.production (or its storage lines)
  --to STACK          the new storage is the stack Pulumi.STACK.yaml (planned offline; for the plan only)
  --to-env NEW.env    the new storage's env block (\`pulumi stack output envProduction --show-secrets\`)
  --run               perform a copy pass now: list both sides, copy only what is new or changed, then check it
                      (listings for every key, the copied keys and a sample on the new media host); without it,
                      print the plan and change nothing
  --start DATE        the day the plan starts (default: today, UTC)
  --sample N          keys of the whole tree fetched through the media host (default 1% of the tree, 50 to 1,000)
  --check-bytes N     compare full contents of fetched keys up to N bytes in all (default 1 GB)
  --no-check          with --run: copy only, without the check (the final pass should check)`;

export interface MigrateArgs {
  from: { kind: "local"; path: string } | { kind: "env"; file: string };
  to: { kind: "stack"; stack: string } | { kind: "env"; file: string };
  run: boolean;
  /** Midnight UTC of the plan's first day. */
  start: Date;
  checkBytes: number;
  /** Keys of the whole tree fetched through the media host; undefined: ./sample.ts defaultSampleSize. */
  sampleSize?: number;
  noCheck: boolean;
}

export type ParsedArgs = { help: true } | { problems: string[] } | { args: MigrateArgs };

/** Every problem at once, each naming its argument. */
export function parseMigrateArgs(argv: readonly string[], today: Date = new Date()): ParsedArgs {
  const parsed = parseOptions(argv, {
    from: { type: "string" },
    "from-env": { type: "string" },
    to: { type: "string" },
    "to-env": { type: "string" },
    run: { type: "boolean", default: false },
    start: { type: "string" },
    "check-bytes": { type: "string" },
    sample: { type: "string" },
    "no-check": { type: "boolean", default: false },
    help: { type: "boolean", default: false },
  });
  if ("problems" in parsed) return { problems: parsed.problems };
  const { values } = parsed;
  if (values.help) return { help: true };
  const problems: string[] = [];
  const from = fromOf(values.from as string | undefined, values["from-env"] as string | undefined, problems);
  const to = toOf(values.to as string | undefined, values["to-env"] as string | undefined, problems);
  const start = startOf(values.start as string | undefined, today, problems);
  const checkBytesText = (values["check-bytes"] as string | undefined) ?? "1000000000";
  if (!/^\d{1,15}$/.test(checkBytesText))
    problems.push(`--check-bytes must be a number of bytes (got ${JSON.stringify(checkBytesText)})`);
  const sampleText = values.sample as string | undefined;
  if (sampleText !== undefined && !/^\d{1,7}$/.test(sampleText))
    problems.push(`--sample must be a number of keys (got ${JSON.stringify(sampleText)})`);
  if (problems.length > 0 || !from || !to) return { problems };
  const sampleSize = sampleText === undefined ? undefined : Number(sampleText);
  return {
    args: {
      from,
      to,
      run: values.run === true,
      start,
      checkBytes: Number(checkBytesText),
      sampleSize,
      noCheck: values["no-check"] === true,
    },
  };
}

function fromOf(
  local: string | undefined,
  env: string | undefined,
  problems: string[],
): MigrateArgs["from"] | undefined {
  if (local !== undefined && env !== undefined) problems.push("--from and --from-env: give one of them");
  else if (env !== undefined)
    return env ? { kind: "env", file: env } : (problems.push("--from-env needs a file"), undefined);
  else if (local !== undefined) {
    const match = /^local:(.+)$/.exec(local);
    if (match?.[1]) return { kind: "local", path: match[1] };
    problems.push(
      `--from must be local:PATH, e.g. local:/home/mastodon/live/public/system (got ${JSON.stringify(local)}); for a bucket use --from-env OLD.env`,
    );
  } else problems.push("--from local:PATH or --from-env OLD.env is required: where the media is now");
  return undefined;
}

function toOf(stack: string | undefined, env: string | undefined, problems: string[]): MigrateArgs["to"] | undefined {
  if (stack !== undefined && env !== undefined) problems.push("--to and --to-env: give one of them");
  else if (env !== undefined)
    return env ? { kind: "env", file: env } : (problems.push("--to-env needs a file"), undefined);
  else if (stack !== undefined) {
    if (/^[A-Za-z0-9_.-]+$/.test(stack)) return { kind: "stack", stack };
    problems.push(`--to must be a stack name such as aws (got ${JSON.stringify(stack)})`);
  } else problems.push("--to STACK or --to-env NEW.env is required: where the media goes");
  return undefined;
}

function startOf(text: string | undefined, today: Date, problems: string[]): Date {
  const midnight = new Date(Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate()));
  if (text === undefined) return midnight;
  const date = /^\d{4}-\d{2}-\d{2}$/.test(text) ? new Date(`${text}T00:00:00Z`) : undefined;
  if (!date || Number.isNaN(date.getTime()) || date.toISOString().slice(0, 10) !== text) {
    problems.push(`--start must be a date such as 2026-12-01 (got ${JSON.stringify(text)})`);
    return midnight;
  }
  return date;
}

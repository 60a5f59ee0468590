import { parseOptions } from "../shared/options";
import { PROVIDERS, type ProviderId } from "../../mastodon-env/providers";

export const USAGE = `usage: npm run doctor -- --env FILE [--previous OLD_FILE] [--live] [--json [FILE]] [--provider ID] [--origin URL] [--retry-for SECONDS]

  --env FILE        the instance's .env.production (only the storage variables are read; no value is printed)
  --previous FILE   the env before a change: doctor also reports what the change breaks (a new media host...)
  --provider ID     the provider behind S3_ENDPOINT when its host does not say (a proxy, a private name):
                    ${Object.keys(PROVIDERS).join(", ")}
  --live            also run verify's live checks (creates and removes probe objects), each failure put down to
                    the finding that explains it
  --json [FILE]     one JSON report: on standard output, or into FILE. Through npm, use \`npm run --silent doctor\`
                    or a FILE: npm prints a banner line on standard output before the command's own output
  --origin URL      with --live: the web origin for the CORS checks (default https://LOCAL_DOMAIN)
  --retry-for N     with --live: retry what legitimately lags for up to N seconds

Touches nothing without --live. exit codes: 0 no error or warning (and with --live every check passed), 1 an
error or warning (or a failed or inconclusive live check), 2 unusable input (or, with --live, an unreachable host),
3 a bug in doctor, 4 with --live: no error or warning, nothing failed, and every check that did not pass is PENDING
a step after pulumi up (as verify), 130 interrupted`;

export interface DoctorOptions {
  env: string;
  previous?: string;
  live: boolean;
  /** undefined: text; "-": JSON on standard output; else a file path. */
  json?: string;
  origin?: string;
  retryFor?: string;
  provider?: ProviderId;
}

export type DoctorArgs = { help: true } | { help: false; options: DoctorOptions } | { help: false; problems: string[] };

export function parseDoctorArgs(argv: readonly string[]): DoctorArgs {
  const parsed = parseOptions(
    argv,
    {
      env: { type: "string" },
      previous: { type: "string" },
      live: { type: "boolean", default: false },
      origin: { type: "string" },
      provider: { type: "string" },
      "retry-for": { type: "string" },
      help: { type: "boolean", short: "h", default: false },
    },
    { json: true },
  );
  if ("problems" in parsed) return { help: false, problems: parsed.problems };
  const { values, json } = parsed;
  if (values.help) return { help: true };
  const problems: string[] = [];
  if (!values.env) problems.push("--env is required: the instance's .env.production");
  if (!values.live && (values.origin !== undefined || values["retry-for"] !== undefined))
    problems.push("--origin and --retry-for only apply with --live");
  const provider = values.provider as string | undefined;
  if (provider !== undefined && !(provider in PROVIDERS))
    problems.push(`--provider must be one of ${Object.keys(PROVIDERS).join(", ")}`);
  if (problems.length > 0) return { help: false, problems };
  return {
    help: false,
    options: {
      env: values.env as string,
      previous: values.previous as string | undefined,
      live: values.live === true,
      json,
      origin: values.origin as string | undefined,
      retryFor: values["retry-for"] as string | undefined,
      ...(provider ? { provider: provider as ProviderId } : {}),
    },
  };
}

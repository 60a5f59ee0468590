import { parseOptions } from "../shared/options";
import { DEFAULT_ORIGIN } from "../../live-checks/cors-origin";
import { parseExpectCname, type ExpectedCname } from "../../live-checks/pending-dns";
import { MAX_RETRY_SECONDS } from "../../live-checks/retry";

export const USAGE = `usage: npm run verify -- --env FILE|- [--origin https://social.example.com] [--json [FILE]] [--retry-for SECONDS] [--expect-cname HOST=TARGET] [--mastodon URL]

  --env FILE       a rendered .env.production (or a whole Mastodon env file); '-' reads it from standard input,
                   e.g. pulumi stack output envProduction --show-secrets | npm run verify -- --env -
  --origin URL     the web origin for the CORS checks (default: https://WEB_DOMAIN or https://LOCAL_DOMAIN from the
                   env, else ${DEFAULT_ORIGIN}, which only passes when CORS allows every origin)
  --json [FILE]    one JSON report, on standard output instead of text (progress goes to standard error), or into
                   FILE beside the text. Through npm use \`npm run --silent verify -- ... --json\` or a FILE: npm prints
                   a banner line on standard output first
  --mastodon URL   also run a round trip through the instance's own API (upload, poll, check, delete); the
                   token comes from MASTODON_ACCESS_TOKEN (scope write:media), never from a flag
  --retry-for N    keep retrying what legitimately lags (a new CDN, certificate or DNS record) for up to N seconds (default 0)
  --previous-media-base BASE
                   an old media base (host or host/path, as in previousMediaDomains) whose URLs must answer 301 to
                   the same key on the media host: one old URL is checked (the self-check passes it)
  --expect-cname HOST=TARGET
                   the media host's CNAME is yours to create (AWS, dns.type external): while HOST does not resolve,
                   wait up to 5 minutes, then report "waiting for DNS" and exit 4 without checking anything

exit codes: 0 every check passed, 1 a check failed, 2 unusable input or unreachable host (nothing created), 3 a bug in verify,
            4 pending: the expected DNS record does not exist yet (nothing created), or nothing failed and every check
              that did not pass waits for a step after pulumi up (printed as PENDING with its commands), 130 interrupted`;

export interface VerifyOptions {
  /** A file path, or `-` for standard input. */
  env: string;
  origin?: string;
  json: boolean;
  /** `--json FILE`: the report goes to FILE (the text still goes to standard output). */
  jsonFile?: string;
  retryForSeconds: number;
  /** `--expect-cname`: the record the user must create for the media host. */
  expectCname?: ExpectedCname;
  /** The instance for the round trip through Mastodon's API (live-checks/mastodon). */
  mastodon?: string;
  /** `--previous-media-base`: an old media base whose URLs must redirect. */
  previousMediaBase?: string;
}

export type ArgsResult = { help: true } | { help: false; options: VerifyOptions } | { help: false; problems: string[] };

export function parseVerifyArgs(input: readonly string[]): ArgsResult {
  const parsed = parseOptions(
    input,
    {
      env: { type: "string" },
      origin: { type: "string" },
      "retry-for": { type: "string" },
      "expect-cname": { type: "string" },
      help: { type: "boolean", short: "h", default: false },
      mastodon: { type: "string" },
      "previous-media-base": { type: "string" },
    },
    { json: true },
  );
  if ("problems" in parsed) return { help: false, problems: parsed.problems };
  const json = parsed.json;
  const jsonFile = json !== undefined && json !== "-" ? json : undefined;
  const values = parsed.values as {
    env?: string;
    origin?: string;
    "retry-for"?: string;
    "expect-cname"?: string;
    help?: boolean;
    mastodon?: string;
    "previous-media-base"?: string;
  };
  if (values.help) return { help: true };

  const problems: string[] = [];
  if (!values.env) problems.push("--env is required: a file, or - for standard input");
  if (values.origin !== undefined && !/^https?:\/\/[^/?#\s]+$/.test(values.origin)) {
    problems.push(
      `--origin must be an origin such as https://social.example.com, without a path (got ${JSON.stringify(values.origin)})`,
    );
  }
  let retryForSeconds = 0;
  if (values["retry-for"] !== undefined) {
    retryForSeconds = Number(values["retry-for"]);
    if (!/^\d+$/.test(values["retry-for"]) || retryForSeconds > MAX_RETRY_SECONDS) {
      problems.push(
        `--retry-for must be a whole number of seconds from 0 to ${MAX_RETRY_SECONDS} (got ${JSON.stringify(values["retry-for"])})`,
      );
    }
  }
  const expectCname = values["expect-cname"] === undefined ? undefined : parseExpectCname(values["expect-cname"]);
  if (expectCname && "problem" in expectCname) problems.push(expectCname.problem);
  const previous = values["previous-media-base"];
  if (previous !== undefined && !/^[a-z0-9.-]+(\/[A-Za-z0-9._-]+)*$/.test(previous)) {
    problems.push(
      `--previous-media-base must be a media base such as files.example.com or files.example.com/social, without a scheme (got ${JSON.stringify(previous)})`,
    );
  }
  if (problems.length > 0) return { help: false, problems };
  const options: VerifyOptions = {
    env: values.env as string,
    origin: values.origin,
    json: json !== undefined,
    ...(jsonFile ? { jsonFile } : {}),
    retryForSeconds,
  };
  if (expectCname && !("problem" in expectCname)) options.expectCname = expectCname;
  if (values.mastodon !== undefined) options.mastodon = values.mastodon;
  if (previous !== undefined) options.previousMediaBase = previous;
  return { help: false, options };
}

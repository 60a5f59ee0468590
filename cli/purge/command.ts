import { readFileSync } from "node:fs";
import type { CdnPurgeFacts } from "../../components/cdn-purge";
import { CdnRefused, REAL_IO, type PurgeIo } from "../../cdn-purge/http";
import { BustUnconfirmed } from "../../cdn-purge/nginx";
import { purge, purgeTargets } from "../../cdn-purge/purge";
import { resolveSite } from "../../cdn-purge/site";
import { answerArguments, guardCommand, type Command, type CommandIo } from "../shared/command";
import { EXIT } from "../shared/exit-codes";
import { userPath } from "../shared/user-files";
import { parsePurgeArgs, USAGE } from "./args";

/** What a finished purge can say, per back end: what it saw, and how long the CDN itself still takes. */
const DONE: Record<CdnPurgeFacts["cdn"], string> = {
  cloudfront:
    "Done: CloudFront accepted every invalidation; it takes a few minutes to finish (see them in the CloudFront console).",
  cloudflare: "Done: Cloudflare accepted every purge request.",
  digitalocean: "Done: the Spaces CDN accepted every flush; it takes a few minutes to finish.",
  nginx: "Done: the nginx cache bypassed its copy for every URL (X-Cache-Status: BYPASS).",
};

/**
 * `npm run purge`: takes media out of the CDN's cache (cdn-purge/). `env` is where credentials are read (the
 * process's environment when run as a command); `timing` lets tests shorten the waits the CDNs' rate limits ask for.
 */
export function purgeCommand(
  env: NodeJS.ProcessEnv = process.env,
  timing: Partial<Omit<PurgeIo, "say">> & { digitalOceanWindowMs?: number } = {},
): Command {
  return guardCommand("purge", (argv, io) => runPurge(argv, io, env, timing));
}

async function runPurge(
  argv: string[],
  io: CommandIo,
  env: NodeJS.ProcessEnv,
  timing: Partial<Omit<PurgeIo, "say">> & { digitalOceanWindowMs?: number },
): Promise<number> {
  const args = parsePurgeArgs(argv);
  if (args.help || "problems" in args) return answerArguments("purge", USAGE, args, io);
  const { options } = args;
  const problems: string[] = [];
  const read = (flag: string, source: string | undefined) => {
    if (source === undefined) return undefined;
    try {
      return {
        text: readFileSync(source === "-" ? 0 : userPath(source), "utf8"),
        name: source === "-" ? `${flag} (standard input)` : `${flag} ${source}`,
      };
    } catch (error) {
      problems.push(`${flag}: cannot read ${source} (${(error as NodeJS.ErrnoException).code ?? "error"})`);
      return undefined;
    }
  };
  const outputs = read("--outputs", options.outputs);
  const envFile = read("--env", options.env);
  const resolved =
    problems.length > 0 ? { problems } : resolveSite({ outputs, env: envFile, flags: options.flags, processEnv: env });
  const targets = "site" in resolved ? purgeTargets(options, resolved.site) : undefined;
  const all = [
    ...("problems" in resolved ? resolved.problems : []),
    ...(targets && "problems" in targets ? targets.problems : []),
  ];
  if (all.length > 0 || !("site" in resolved) || !targets || !("targets" in targets)) {
    io.err(`${all.map((problem) => `purge: ${problem}`).join("\n")}\n`);
    return EXIT.input;
  }
  const say = (text: string) => io.err(`${text}\n`);
  const purgeIo: PurgeIo = { ...REAL_IO, ...timing, say };
  const { site } = resolved;
  say(
    `${options.dryRun ? "Would purge" : "Purging"} ${targets.targets.length} target(s) on ${site.cdn.cdn} for ${site.mediaBase.href}`,
  );
  try {
    const outcome = await purge(site, targets.targets, {
      env,
      io: purgeIo,
      dryRun: options.dryRun,
      ...(resolved.bust ? { bust: resolved.bust } : {}),
      ...(timing.digitalOceanWindowMs ? { digitalOceanWindowMs: timing.digitalOceanWindowMs } : {}),
    });
    io.out(`${(options.dryRun ? outcome.planned : outcome.done).join("\n")}\n`);
    if (!options.dryRun) say(DONE[site.cdn.cdn]);
    return EXIT.ok;
  } catch (error) {
    // The CDN refused a request: exit 1 (EXIT.failed); bad input, an unknown URL, missing credentials or an
    // unreachable API are EXIT.input.
    if (error instanceof CdnRefused || error instanceof BustUnconfirmed) {
      io.err(`purge: ${error.message}\n`);
      return EXIT.failed;
    }
    throw error;
  }
}

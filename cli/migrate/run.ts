import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { UserError } from "../../components/errors";
import type { MigrateArgs } from "./args";
import { ensureRclone, formatStats, runPass, type PassResult } from "./copy";
import { isRefusal, refusedCopyAdvice } from "./copy-refusal";
import { deletedMediaAdvice, keepExtraKeys } from "./deleted-media";
import { passCosts } from "./costs";
import type { Destination, Source } from "./endpoints";
import { checkPass, checkPassed, type PassCheck } from "./pass-check";
import { linkReportLines } from "./local-walk";
import { KEYS_PER_RCLONE_RUN, planPass, type PassPlan } from "./pass";
import { count, duration, megabytes, Progress, type ProgressSink } from "./progress";
import type { CopySource } from "./rclone";
import { passCommands, rcloneVersionProblem, readRcloneVersion } from "./rclone-version";
import { noMastodonMedia } from "./wrong-source";
import { preflight, RequestFailed, sourceSide, storageProblem, type BucketSide } from "./storage-problem";

/** Exit codes: 0 done, 1 a copy or the check failed, 130 interrupted (Ctrl-C). */
export const RUN_EXIT = { ok: 0, failed: 1, interrupted: 130 } as const;

/** How many missing or different keys are printed one per line; the count covers the rest. */
const LISTED = 50;

/**
 * One pass of `migrate --run`: list both sides and merge the listings (./pass.ts), copy only what is new or
 * changed (rclone given the keys), then check at the cost of what was copied (./pass-check.ts). State lives in
 * the two storages themselves: an interrupted pass (Ctrl-C, a lost connection) leaves keys that the next pass's
 * listing finds missing, so running the same command again resumes. The scratch files of a pass (key lists)
 * are removed when it ends. A bucket side that cannot be used (unreachable, wrong bucket, key or secret, no
 * s3:ListBucket) stops the pass before anything is listed (./storage-problem.ts: UserError, exit 2); a listing
 * that fails later is thrown as a one-line UserError or StorageFailure (exit 1) naming the side.
 */
export async function runMigration(
  args: MigrateArgs,
  source: Source,
  destination: Destination,
  sink: ProgressSink,
): Promise<number> {
  const line = (text: string) => sink.write(`${text}\n`);
  const copySource: CopySource = source.kind === "local" ? { kind: "local", root: source.root } : source;
  const target = destination.target;
  const controller = new AbortController();
  const interrupt = () => controller.abort();
  const destinationSide: BucketSide = { what: `--to-env ${destination.envFile ?? destination.description}`, target };
  const sides =
    source.kind === "s3" ? [sourceSide(source.file, source.target, target), destinationSide] : [destinationSide];
  // rclone and each bucket side are looked at before anything is listed or copied, together (a process start and
  // a round trip per side, independent of each other); a missing or too old rclone is reported first
  // (./rclone-version.ts), then a side that cannot be used (./storage-problem.ts).
  const sidesUsable = preflight(sides);
  sidesUsable.catch(() => undefined); // awaited below; not an unhandled rejection when rclone's problem comes first
  // One `rclone version` when rclone is there; the install (./copy.ts ensureRclone) only when it is not.
  const version = (await readRcloneVersion()) ?? (await ensureRclone().then(() => readRcloneVersion()));
  if (!version)
    throw new UserError("`rclone version` did not print rclone's version: is the rclone first on PATH rclone?");
  const tooOld = rcloneVersionProblem(version);
  if (tooOld) throw new UserError(tooOld);
  await sidesUsable;
  line(`rclone ${version.text}`);
  process.once("SIGINT", interrupt);
  const workDir = await mkdtemp(path.join(tmpdir(), "mastodon-media-migrate-"));
  // Printed when the pass ends, however it ends: the destination's keys not in the source (./deleted-media.ts).
  let deletedAdvice: string[] = [];
  try {
    const listed = Date.now();
    line(
      `listing ${source.kind === "local" ? `${source.root} (a walk of the directory)` : `${source.target.facts.bucket} (ListObjectsV2)`} and ${target.facts.bucket}${target.facts.keyPrefix ? `/${target.facts.keyPrefix}` : ""} (ListObjectsV2), merged in key order`,
    );
    const plan = await planPass(copySource, target, {
      workDir,
      sink,
      sampleSize: args.sampleSize,
      signal: controller.signal,
    });
    printPlan(plan, (Date.now() - listed) / 1000, line);
    if (source.kind === "local") for (const text of linkReportLines(plan.links, source.root)) line(text);
    // Before anything is copied or listed for deletion: a source without Mastodon's keys is the wrong folder,
    // bucket or S3_KEY_PREFIX, and every key of the new bucket would look deleted.
    if (plan.source.mastodon === 0) throw new UserError(noMastodonMedia(args, source, plan));
    // A broken link hides source keys: no list of destination keys "not in the source", no delete line for them.
    const brokenLinks = plan.links.broken.count > 0;
    // Kept where the admin ran the command (npm sets INIT_CWD to it), since the work dir goes when the pass ends.
    const kept = brokenLinks
      ? undefined
      : await keepExtraKeys(plan.extraKeys, target, process.env.INIT_CWD ?? process.cwd()).catch((error: unknown) => {
          line(`could not keep the list of destination keys not in the source: ${(error as Error).message}`);
          return undefined;
        });
    deletedAdvice = deletedMediaAdvice(plan.extraKeys, kept, target, destination.envFile ?? destination.description);

    const started = Date.now();
    const results: PassResult[] = [];
    const chunks = [
      ...plan.files.media.map((file) => ({ label: "media", file })),
      ...plan.files.private.map((file) => ({ label: target.uploadAcl ? "private" : "media", file })),
    ];
    const progress = new Progress(sink, "  copy", { objects: plan.toCopy.objects, bytes: plan.toCopy.bytes });
    const done = { objects: 0, bytes: 0 };
    if (chunks.length > 0) {
      line(
        `copying ${count(plan.toCopy.objects)} keys into ${target.facts.bucket}${target.facts.keyPrefix ? `/${target.facts.keyPrefix}` : ""}: ` +
          `rclone lists nothing, it is given the keys (${chunks.length} list${chunks.length === 1 ? "" : "s"} of at most ${count(KEYS_PER_RCLONE_RUN)})`,
      );
    }
    for (const chunk of chunks) {
      const command = passCommands(
        copySource,
        target,
        { noHead: !args.noCheck, filesFrom: { media: chunk.file, private: chunk.file } },
        version,
      ).find((candidate) => candidate.label === chunk.label)!;
      const result = await runPass(
        command,
        (stats) => progress.update({ objects: done.objects + stats.transfers, bytes: done.bytes + stats.bytes }),
        controller.signal,
      );
      done.objects += result.stats.transfers;
      done.bytes += result.stats.bytes;
      results.push(result);
      if (result.exitCode !== 0) {
        progress.end();
        line(`  ${chunk.label}: ${formatStats(result.stats)} (rclone exit ${result.exitCode})`);
      }
      for (const error of result.errors.slice(0, LISTED)) line(`    error: ${error}`);
      if (controller.signal.aborted) break;
    }
    progress.end();
    const copied = results.reduce((sum, result) => sum + result.stats.transfers, 0);
    const bytes = results.reduce((sum, result) => sum + result.stats.bytes, 0);
    const seconds = Math.max((Date.now() - started) / 1000, 0.001);
    line(
      `copy: ${copied} files, ${(bytes / 1e6).toFixed(1)} MB in ${seconds.toFixed(1)} s ` +
        `(${(copied / seconds).toFixed(0)} files/s, ${(bytes / 1e6 / seconds).toFixed(1)} MB/s)`,
    );
    if (controller.signal.aborted) {
      line("Interrupted. Run the same command again: it lists both sides and copies what is still missing.");
      return RUN_EXIT.interrupted;
    }
    if (results.some((result) => result.exitCode !== 0)) {
      if (results.some((result) => result.errors.some(isRefusal))) {
        for (const text of refusedCopyAdvice(sides)) line(text);
        return RUN_EXIT.failed;
      }
      line("The copy did not finish: run the same command again, it resumes where it stopped.");
      return RUN_EXIT.failed;
    }
    if (args.noCheck) {
      printCosts(plan, undefined, destination, line);
      return brokenLinks ? RUN_EXIT.failed : RUN_EXIT.ok;
    }
    const origin = destination.webDomain ? `https://${destination.webDomain}` : undefined;
    const check = await checkPass(copySource, target, plan, { byteBound: args.checkBytes, origin, sink });
    printCheck(plan, check, new URL(target.mediaBase).host, origin, line);
    printCosts(plan, check, destination, line);
    if (plan.unlistable.length > 0) {
      line(
        `${plan.unlistable.length} keys have a line break in their name and cannot be given to rclone; copy them by hand:`,
      );
      for (const key of plan.unlistable.slice(0, LISTED)) line(`  ${JSON.stringify(key)}`);
    }
    return checkPassed(check) && plan.unlistable.length === 0 && !brokenLinks ? RUN_EXIT.ok : RUN_EXIT.failed;
  } catch (error) {
    // Ctrl-C while listing or checking: the listing stops at its next key; nothing was left half-done.
    if (!controller.signal.aborted) {
      if (error instanceof RequestFailed) {
        const side = sides.find((candidate) => candidate.target === error.target) ?? destinationSide;
        throw storageProblem(side, error.error, error.request);
      }
      throw error;
    }
    line("Interrupted. Run the same command again: it lists both sides and copies what is still missing.");
    return RUN_EXIT.interrupted;
  } finally {
    for (const text of deletedAdvice) line(text);
    process.removeListener("SIGINT", interrupt);
    await rm(workDir, { recursive: true, force: true });
  }
}

function printPlan(plan: PassPlan, seconds: number, line: (text: string) => void): void {
  const { source, skipped, toCopy, destination } = plan;
  line(
    `listed ${count(source.objects)} source objects (${megabytes(source.bytes)}) in ${duration(seconds)}` +
      `${source.listPages ? `, ${requests(source.listPages)} on the source` : ""}, ${requests(destination.listPages)} on the destination` +
      `${destination.extra ? ` (${count(destination.extra)} destination keys not in the source, left alone)` : ""}`,
  );
  line(
    `skipped: ${count(skipped.objects)} keys (${megabytes(skipped.bytes)}) already in the destination with the same size` +
      `${skipped.sameEtag ? ` (${count(skipped.sameEtag)} with the same MD5 ETag)` : ""}: Mastodon never rewrites a key`,
  );
  line(
    `to copy: ${count(toCopy.objects)} keys (${megabytes(toCopy.bytes)}): ${count(toCopy.reasons.missing)} not in the destination, ` +
      `${count(toCopy.reasons.size)} of another size, ${count(toCopy.reasons.etag)} with another MD5 ETag` +
      `${plan.keptPrivate ? `; ${count(plan.keptPrivate)} media keys private in the source keep the private ACL` : ""}`,
  );
}

function printCheck(
  plan: PassPlan,
  check: PassCheck,
  host: string,
  origin: string | undefined,
  line: (text: string) => void,
): void {
  const { report, sample } = check;
  const parts = [`${count(check.vouched)} keys in the destination's listing with the source's size`];
  if (check.fetchedCopied) parts.push(`the ${count(check.fetchedCopied)} copied keys fetched one by one`);
  if (check.relistPages)
    parts.push(
      `the ${count(plan.toCopy.objects)} copied keys listed again (${count(check.relistPages)} list requests)`,
    );
  parts.push(
    `a sample of ${count(sample.keys)} keys over the whole tree fetched through ${host} (${count(sample.localUploads)} local uploads, ${count(sample.remoteCopies)} remote copies${origin ? `; CORS for ${origin}` : ""})`,
  );
  line(`check: ${parts.join("; ")}`);
  line(
    `check: ${count(report.checked)} keys answered, ${count(report.compared)} compared byte for byte (${megabytes(report.comparedBytes)}), ` +
      `${report.missing.length} missing, ${report.different.length} different${check.unconfirmed ? `, ${count(check.unconfirmed)} more listed missing or different (not fetched)` : ""}`,
  );
  for (const key of report.missing.slice(0, LISTED)) line(`  missing: ${key}`);
  if (report.missing.length > LISTED) line(`  ... and ${report.missing.length - LISTED} more missing`);
  for (const entry of report.different.slice(0, LISTED)) line(`  different: ${entry}`);
  if (report.different.length > LISTED) line(`  ... and ${report.different.length - LISTED} more different`);
  if (report.deletedInSource.length > 0)
    line(
      `check: ${count(report.deletedInSource.length)} keys deleted in the source during the pass: not copied, nothing to do (Mastodon removed them)`,
    );
  if (report.deletedAfterCopy.length > 0)
    line(
      `check: ${count(report.deletedAfterCopy.length)} keys copied, then deleted in the source during the pass: the next pass lists them among the destination keys not in the source`,
    );
  if (report.missing.length + check.unconfirmed > 0)
    line("Run the same command again to copy what is missing; it then checks again.");
  if (report.different.length > 0)
    line(
      "A pass copies again only a key of another size or MD5: what differs above is the new storage's answer (`npm run verify -- --env` with the new env names the cause).",
    );
}

function printCosts(
  plan: PassPlan,
  check: PassCheck | undefined,
  destination: Destination,
  line: (text: string) => void,
): void {
  for (const text of passCosts(plan, check, destination.target)) line(text);
}

/** `1 list request`, `12 list requests`. */
function requests(pages: number): string {
  return `${count(pages)} list request${pages === 1 ? "" : "s"}`;
}

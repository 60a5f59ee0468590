import { readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { UserError } from "../../components/errors";
import { guardCommand, type CommandIo } from "../shared/command";
import { EXIT } from "../shared/exit-codes";
import { outputFileProblem, writeUserFile } from "../shared/user-files";
import { reviewStackFile } from "../../components/review-stack";
import { parsePlanArgs, UsageError, USAGE, type PlanArgs } from "./args";
import { readAgainstPlan } from "./against";
import { diffPlans, renderDiff } from "./diff";
import { mediaUrlContext } from "./media-urls";
import { PROJECT } from "../../offline-plan/engine";
import { renderPlanErrorMarkdown, renderPlanMarkdown, type Comparison } from "./markdown";
import { renderPlan } from "./render";
import { planStack, PROJECT_ROOT, publicPlan } from "../../offline-plan/run";
import { readStackFile, stackEnvironment, stackFilePath } from "../../offline-plan/stack-file";
import { committedStacks, missingFromMatrices } from "./stacks";

/**
 * `npm run plan`: exit 0 clean, 1 when a mandatory policy is violated (or, with --fail-on-loss, when the
 * comparison finds a bucket that would be lost, or the media URLs change unsafely on a production stack),
 * 2 on a usage mistake or an invalid config (one line, or the usage after a mistake in the arguments),
 * 3 on a bug. `argv` is what follows `npm run plan --`.
 */
export const planCommand = guardCommand("plan", runPlan, (error) =>
  // Bad config or a missing stack file: the message names the key, no stack trace.
  error instanceof UsageError ? `plan: ${error.message}\n\n${USAGE}` : error.message,
);

async function runPlan(argv: string[], io: CommandIo): Promise<number> {
  const args = parsePlanArgs(argv);
  if (args.help) {
    io.out(`${USAGE}\n`);
    return EXIT.ok;
  }
  let stack = args.stack;
  try {
    // Read and check before planning: a wrong --against, --json or --markdown should fail fast, not after the plan.
    const against =
      args.against === undefined
        ? undefined
        : { file: args.against, plan: readAgainstPlan(args.against, args.stack, PROJECT_ROOT) };
    const review = /^pr-\d+$/;
    if (against && against.plan.stack !== args.stack && !review.test(args.stack) && !review.test(against.plan.stack)) {
      io.err(
        `Comparing stack ${args.stack} with a plan of stack ${against.plan.stack} (same provider): resources are matched by type and name.\n`,
      );
    }
    for (const [option, file] of [
      ["--json", args.json],
      ["--markdown", args.markdown],
    ] as const) {
      // `-` is standard output elsewhere (verify, doctor); here it already carries the plan's text.
      if (file === "-")
        throw new UsageError(`${option} -: the plan's text goes to standard output; give ${option} a file name`);
      const problem = file === undefined ? undefined : outputFileProblem(option, file);
      if (problem) throw new UsageError(problem);
    }
    if (args.review !== undefined) {
      stack = writeReviewStackFile(args.stack, pullRequestNumber(args.review), PROJECT_ROOT);
      io.err(`Wrote ${path.basename(stackFilePath(stack, PROJECT_ROOT))}: deploy it with \`pulumi up -s ${stack}\`.\n`);
    }
    // The stack file, read once: the plan, the media-URL context and "is this production?" all come from it.
    const stackFile = readStackFile(stack, PROJECT_ROOT);
    const production = stackEnvironment(stackFile.config) === "production";
    const plan = await planStack(stack, PROJECT_ROOT, stackFile);
    const shown = publicPlan(plan, args.showSecrets);
    const masked = publicPlan(plan, false);
    // Always against the masked plan: the old file is masked, and a diff must not print a secret.
    const comparison: Comparison | undefined = against && {
      diff: diffPlans(against.plan, masked, mediaUrlContext(stackFile.config)),
      against: against.file,
    };

    if (args.json) writeUserFile("--json", args.json, `${JSON.stringify(shown, null, 2)}\n`);
    if (args.markdown) writeUserFile("--markdown", args.markdown, renderPlanMarkdown(masked, comparison));
    io.out(renderPlan(shown));
    if (comparison) io.out(`\n${renderDiff(comparison.diff, comparison.against)}`);
    if (production) warnIfNotInMatrices(stack, args, io);

    const mediaUrlsRefused = comparison?.diff.mediaUrlAlert?.refused ?? false;
    if (mediaUrlsRefused)
      io.err("\nThe media URLs change on a production stack: see the !!! line above and docs/migrating.md.\n");
    const mandatory = plan.violations.filter((violation) => violation.level === "mandatory").length;
    if (mandatory > 0) io.err(`\n${mandatory} mandatory policy violation(s): fix them before \`pulumi up\`.\n`);
    const losses = comparison?.diff.bucketAlerts.length ?? 0;
    const lossFails = args.failOnLoss && losses > 0 && production;
    if (args.failOnLoss && losses > 0) {
      io.err(
        `\n--fail-on-loss: ${losses} bucket alert(s) (the !!! lines above)` +
          (production
            ? ": a production bucket would be lost.\n"
            : `; ${stack} is a test stack, whose buckets may go: not failing.\n`),
      );
    }
    return mandatory > 0 || lossFails || mediaUrlsRefused ? EXIT.failed : EXIT.ok;
  } catch (error) {
    if (
      error instanceof UserError &&
      args.markdown &&
      args.markdown !== "-" &&
      !outputFileProblem("--markdown", args.markdown)
    ) {
      writeUserFile("--markdown", args.markdown, renderPlanErrorMarkdown(stack, error.message));
    }
    throw error;
  }
}

/** A production stack that no workflow previews or deploys: said once, on standard error. */
function warnIfNotInMatrices(stack: string, args: PlanArgs, io: CommandIo): void {
  if (args.review !== undefined || committedStacks(PROJECT_ROOT).includes(stack)) return;
  const warning = missingFromMatrices(PROJECT_ROOT, stack);
  if (warning) io.err(`\nWarning: ${warning}\n`);
}

function pullRequestNumber(text: string): number {
  if (!/^[1-9]\d{0,9}$/.test(text))
    throw new UsageError(`--review must be a pull request number (got ${JSON.stringify(text)})`);
  return Number(text);
}

/** Writes `Pulumi.pr-N.yaml` from the template stack file and returns the review stack's name. */
function writeReviewStackFile(template: string, pullRequest: number, root: string): string {
  const { secretKeys } = readStackFile(template, root);
  if (secretKeys.length > 0) {
    throw new UserError(
      `Pulumi.${template}.yaml holds encrypted values (${secretKeys.join(", ")}): another stack cannot decrypt them. ` +
        "Give the review stack those credentials through the environment instead (docs/pull-requests.md).",
    );
  }
  const review = reviewStackFile(readFileSync(stackFilePath(template, root), "utf8"), template, pullRequest, PROJECT);
  writeFileSync(stackFilePath(review.stack, root), review.yaml);
  return review.stack;
}

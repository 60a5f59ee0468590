import { existsSync, readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { parseArgs } from "node:util";
import { UserError } from "../../components/errors";
import { reviewStackFile } from "../../components/review-stack";
import { diffPlans, parsePlanJson, renderDiff } from "./diff";
import { PROJECT } from "./engine";
import { renderPlanErrorMarkdown, renderPlanMarkdown, type Comparison } from "./markdown";
import { renderPlan } from "./render";
import { planStack, PROJECT_ROOT, publicPlan } from "./run";
import { readStackFile, stackFilePath } from "./stack-file";

const USAGE = `usage: npm run plan -- --stack NAME [--json FILE] [--show-secrets] [--against OLD.json] [--markdown FILE] [--review PR]

  --json FILE       write the plan as JSON (secrets masked unless --show-secrets)
  --against FILE    compare with a plan written earlier by --json: added, removed and changed resources, and a
                    line starting with !!! for every bucket that would be replaced, deleted or unprotected
  --markdown FILE   write the plan (and the comparison) as Markdown for a CI job summary, secrets always masked
  --review PR       write Pulumi.pr-PR.yaml, the review stack of pull request PR derived from --stack
                    (environment test, its own bucket and media host), and plan that stack`;

/** `npm run plan`: exit 0 clean, 1 when a mandatory policy is violated, 2 when the config is invalid. */
async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      stack: { type: "string" },
      json: { type: "string" },
      "show-secrets": { type: "boolean", default: false },
      against: { type: "string" },
      markdown: { type: "string" },
      review: { type: "string" },
      help: { type: "boolean", default: false },
    },
  });
  if (values.help || !values.stack) {
    console.log(USAGE);
    return values.help ? 0 : 2;
  }
  let stack = values.stack;
  try {
    // Read before planning: a wrong --against should fail fast, not after the plan.
    const against = values.against === undefined ? undefined : { file: values.against, plan: readPlanFile(values.against) };
    if (values.review !== undefined) {
      stack = writeReviewStackFile(values.stack, pullRequestNumber(values.review), PROJECT_ROOT);
      console.error(`Wrote ${path.basename(stackFilePath(stack, PROJECT_ROOT))}: deploy it with \`pulumi up -s ${stack}\`.`);
    }
    const plan = await planStack(stack);
    const shown = publicPlan(plan, values["show-secrets"] ?? false);
    const masked = publicPlan(plan, false);
    // Always against the masked plan: the old file is masked, and a diff must not print a secret.
    const comparison: Comparison | undefined = against && { diff: diffPlans(against.plan, masked), against: against.file };

    if (values.json) writeFileSync(values.json, `${JSON.stringify(shown, null, 2)}\n`);
    if (values.markdown) writeFileSync(values.markdown, renderPlanMarkdown(masked, comparison));
    process.stdout.write(renderPlan(shown));
    if (comparison) process.stdout.write(`\n${renderDiff(comparison.diff, comparison.against)}`);

    const mandatory = plan.violations.filter((violation) => violation.level === "mandatory").length;
    if (mandatory > 0) {
      console.error(`\n${mandatory} mandatory policy violation(s): fix them before \`pulumi up\`.`);
      return 1;
    }
    return 0;
  } catch (error) {
    if (error instanceof UserError && values.markdown) writeFileSync(values.markdown, renderPlanErrorMarkdown(stack, error.message));
    throw error;
  }
}

function readPlanFile(file: string) {
  if (!existsSync(file)) throw new UserError(`--against ${file}: no such file (write one with --json)`);
  return parsePlanJson(readFileSync(file, "utf8"), file);
}

function pullRequestNumber(text: string): number {
  if (!/^[1-9]\d{0,9}$/.test(text)) throw new UserError(`--review must be a pull request number (got ${JSON.stringify(text)})`);
  return Number(text);
}

/** Writes `Pulumi.pr-N.yaml` from the template stack file and returns the review stack's name. */
function writeReviewStackFile(template: string, pullRequest: number, root: string): string {
  const { secretKeys } = readStackFile(template, root);
  if (secretKeys.length > 0) {
    throw new UserError(
      `Pulumi.${template}.yaml holds encrypted values (${secretKeys.join(", ")}): another stack cannot decrypt them. ` +
        'Give the review stack those credentials through the environment instead (docs/pull-requests.md).',
    );
  }
  const review = reviewStackFile(readFileSync(stackFilePath(template, root), "utf8"), template, pullRequest, PROJECT);
  writeFileSync(stackFilePath(review.stack, root), review.yaml);
  return review.stack;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof UserError) {
      // Bad config or a missing stack file: the message names the key, no stack trace.
      console.error(error.message);
      process.exit(2);
    }
    console.error(error);
    process.exit(3);
  },
);

import { readFileSync } from "node:fs";
import { UserError } from "../../components/errors";
import { parsePlanJson, type DiffablePlan } from "./diff";
import { readStackFile } from "./stack-file";

/**
 * Reads the plan given to --against: a file written by --json, of the same stack (a review stack and its
 * template count as the same) and of the same provider. Anything else is a UserError in one line.
 */
export function readAgainstPlan(file: string, stack: string, root: string): DiffablePlan {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === "ENOENT" ? "no such file (write one with --json)" : "cannot be read";
    throw new UserError(`--against ${file}: ${reason}`);
  }
  const plan = parsePlanJson(text, file);
  const provider = (JSON.parse(text) as { provider?: unknown }).provider;
  const ours = readStackFile(stack, root).config["mastodon-media:provider"];
  // A review stack (pr-N) may be compared with its template: the diff matches resources by URN, stack name aside.
  const sameStack = plan.stack === stack || /^pr-\d+$/.test(stack) || /^pr-\d+$/.test(plan.stack);
  if (!sameStack || (typeof provider === "string" && ours !== undefined && provider !== ours)) {
    throw new UserError(
      `--against ${file} is the plan of stack ${plan.stack} (provider ${String(provider)}), not of ${stack} (provider ${String(ours)}): ` +
        `compare plans of the same stack.`,
    );
  }
  return plan;
}

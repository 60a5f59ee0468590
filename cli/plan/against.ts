import { readFileSync } from "node:fs";
import { UserError } from "../../components/errors";
import { userPath } from "../shared/user-files";
import { parsePlanJson, type DiffablePlan } from "./diff";
import { readStackFile } from "../../offline-plan/stack-file";

/**
 * Reads the plan given to --against: a file written by --json, of the same provider. A plan of another provider
 * is a UserError in one line. A plan of another stack of the same provider is compared (a review stack against its
 * template, or an edited copy of a stack file against the stack it copies: the diff matches resources by their
 * type and name, the stack name aside); main says in one line which two stacks are compared.
 */
export function readAgainstPlan(file: string, stack: string, root: string): DiffablePlan {
  let text: string;
  try {
    text = readFileSync(userPath(file), "utf8");
  } catch (error) {
    const reason =
      (error as NodeJS.ErrnoException).code === "ENOENT" ? "no such file (write one with --json)" : "cannot be read";
    throw new UserError(`--against ${file}: ${reason}`);
  }
  const plan = parsePlanJson(text, file);
  const provider = (JSON.parse(text) as { provider?: unknown }).provider;
  const ours = readStackFile(stack, root).config["mastodon-media:provider"];
  if (typeof provider === "string" && ours !== undefined && provider !== ours) {
    throw new UserError(
      `--against ${file} is the plan of stack ${plan.stack} on ${provider}, but ${stack} is on ${String(ours)}: compare plans of the same provider.`,
    );
  }
  return plan;
}

import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";

const STACK_FILE = /^Pulumi\.(.+)\.yaml$/;

/**
 * The stacks whose `Pulumi.<stack>.yaml` is committed (in git's index: `git ls-files`), review stacks
 * (`pr-<number>`, written by the workflow) aside. A user's own copy that is not committed is not one of them,
 * so it cannot change what `npm test` checks. Outside a git work tree (an unpacked archive), the stack files
 * present are taken instead. Sorted by name.
 */
export function committedStacks(root: string): string[] {
  const listed = spawnSync("git", ["ls-files", "-z", "--", "Pulumi.*.yaml"], { cwd: root, encoding: "utf8" });
  const files =
    listed.status === 0 && !listed.error
      ? listed.stdout.split("\0").filter(Boolean)
      : readdirSync(root).filter((file) => STACK_FILE.test(file));
  return files
    .filter((file) => !file.includes("/"))
    .map((file) => STACK_FILE.exec(file)?.[1])
    .filter((stack): stack is string => stack !== undefined && !/^pr-\d+$/.test(stack))
    .sort();
}

/** The workflows that must run every production stack, and the job whose `strategy.matrix.stack` lists them. */
export const PRODUCTION_MATRICES = [
  { file: ".github/workflows/preview.yml", job: "preview", verb: "preview" },
  { file: ".github/workflows/deploy.yml", job: "deploy", verb: "deploy" },
] as const;

/** The stacks listed in one workflow job's `strategy.matrix.stack`; [] when the file or the list is missing. */
export function matrixStacks(root: string, file: string, job: string): string[] {
  const full = path.join(root, file);
  if (!existsSync(full)) return [];
  const workflow = parse(readFileSync(full, "utf8")) as {
    jobs?: Record<string, { strategy?: { matrix?: { stack?: unknown } } }>;
  };
  const stacks = workflow?.jobs?.[job]?.strategy?.matrix?.stack;
  return Array.isArray(stacks) ? stacks.map(String) : [];
}

/**
 * For a production stack, the sentence saying which workflow matrices do not list it (so CI would neither
 * preview nor deploy it); undefined when every one does, or when the project has no such workflows.
 */
export function missingFromMatrices(root: string, stack: string): string | undefined {
  const present = PRODUCTION_MATRICES.filter(({ file }) => existsSync(path.join(root, file)));
  const missing = present.filter(({ file, job }) => !matrixStacks(root, file, job).includes(stack));
  if (missing.length === 0) return undefined;
  const names = missing.map(({ file }) => file);
  const these = names.length === 1 ? `the matrix of ${names[0]}` : `the matrices of ${names.join(" and ")}`;
  return (
    `stack ${stack} is production but not in ${these}: CI would not ${missing.map(({ verb }) => verb).join(" or ")} it. ` +
    `Add ${stack} to strategy.matrix.stack there when you commit Pulumi.${stack}.yaml (npm test then checks the lists).`
  );
}

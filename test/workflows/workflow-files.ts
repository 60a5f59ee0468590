import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import { parseStackConfig, type StackConfig } from "../../components/config";
import { projectConfigObject } from "../../components/config/raw";
import { PROJECT } from "../../offline-plan/engine";
import { PROJECT_ROOT } from "../../offline-plan/run";
import { readStackFile } from "../../offline-plan/stack-file";
import { committedStacks } from "../../cli/plan/stacks";

/** The workflow files and the committed stacks they must agree with, read as plain data for the tests. */

export const WORKFLOW_DIR = path.join(PROJECT_ROOT, ".github", "workflows");

export interface Step {
  name?: string;
  id?: string;
  uses?: string;
  run?: string;
  if?: string;
  with?: Record<string, unknown>;
  env?: Record<string, string>;
  "working-directory"?: string;
}

export interface Job {
  if?: string;
  uses?: string;
  with?: Record<string, unknown>;
  secrets?: unknown;
  needs?: string | string[];
  environment?: unknown;
  permissions?: unknown;
  env?: Record<string, string>;
  concurrency?: { group: string; "cancel-in-progress": boolean | string };
  strategy?: { matrix?: Record<string, unknown> };
  steps?: Step[];
}

export interface Workflow {
  name: string;
  on: Record<string, unknown>;
  permissions?: unknown;
  jobs: Record<string, Job>;
}

export const WORKFLOW_FILES = readdirSync(WORKFLOW_DIR).filter((file) => /\.ya?ml$/.test(file));

export function workflowText(file: string): string {
  return readFileSync(path.join(WORKFLOW_DIR, file), "utf8");
}

export function workflow(file: string): Workflow {
  return parse(workflowText(file)) as Workflow;
}

export function job(file: string, id: string): Job {
  const found = workflow(file).jobs[id];
  if (!found) throw new Error(`${file} has no job ${id}`);
  return found;
}

export function step(file: string, jobId: string, name: string): Step {
  const found = job(file, jobId).steps?.find((candidate) => candidate.name === name || candidate.id === name);
  if (!found) throw new Error(`${file} job ${jobId} has no step named ${name}`);
  return found;
}

/**
 * Every committed stack file (git's index), with its parsed config. A user's own `Pulumi.<name>.yaml` that is
 * not committed is not listed: the plan warns about it instead (cli/plan/stacks.ts, missingFromMatrices).
 */
export const COMMITTED_STACKS: { stack: string; config: StackConfig }[] = committedStacks(PROJECT_ROOT).map(
  (stack) => ({
    stack,
    config: parseStackConfig(projectConfigObject(readStackFile(stack, PROJECT_ROOT).config, PROJECT)),
  }),
);

/** Runs a step's shell script with bash, as the runner does (`bash -e -o pipefail`). */
export function runStep(script: string, env: Record<string, string>, cwd: string = PROJECT_ROOT) {
  const result = spawnSync("bash", ["--noprofile", "--norc", "-e", "-o", "pipefail", "-c", script], {
    cwd,
    env: { ...process.env, ...env },
    encoding: "utf8",
    timeout: 120_000,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

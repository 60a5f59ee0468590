import { EXIT, type ExitCode } from "../shared/exit-codes";
import type { Diagnosis } from "./diagnose";
import type { LiveResult } from "./live";
import { hasProblems } from "./render";

/**
 * doctor's exit code (cli/shared/exit-codes.ts EXIT): the live checks' own code, taken as verify gives it
 * (`live.exitCode`, cli/shared/exit-codes.ts outcomeExitCode), under the findings.
 *
 * | live checks (with --live)                    | no error or warning | an error or warning |
 * |----------------------------------------------|---------------------|---------------------|
 * | not run, or every check passed               | 0 ok                | 1 failed            |
 * | only steps after `pulumi up` left (PENDING)  | 4 pending           | 1 failed            |
 * | a failed or inconclusive check, a probe left | 1 failed            | 1 failed            |
 * | could not start (env unusable, unreachable)  | 2 input             | 1 failed            |
 * | interrupted (Ctrl-C, SIGTERM)                | 130 interrupted     | 130 interrupted     |
 *
 * A finding outranks the live checks' input code: the env is what doctor diagnoses, and the finding names its fault.
 */
export function doctorExitCode(diagnosis: Diagnosis, live?: Pick<LiveResult, "exitCode">): ExitCode {
  const liveCode = live?.exitCode ?? EXIT.ok;
  if (liveCode === EXIT.interrupted) return liveCode;
  return hasProblems(diagnosis) ? EXIT.failed : liveCode;
}

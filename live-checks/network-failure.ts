import { diagnoseNetwork } from "./diagnose";
import { errorCode } from "./io/http";
import { certificateNames } from "./io/tls";
import { mediaHostVariable } from "../mastodon-env/target";
import { fail, type CheckContext, type CheckOutcome } from "./check";

/** An anonymous request that failed below HTTP, as an outcome. */
export function networkFailure(context: CheckContext, what: string, error: unknown): CheckOutcome {
  const code = errorCode(error);
  const variable = mediaHostVariable(context.target);
  const diagnosis = diagnoseNetwork(code, variable, {
    host: context.target.mediaBase.hostname,
    certNames: certificateNames(error),
  }) ?? { cause: `the request failed (${code})`, fix: `check ${variable}`, transient: true };
  return fail([`${what}: ${code}`], diagnosis.cause, diagnosis.fix, diagnosis.transient);
}

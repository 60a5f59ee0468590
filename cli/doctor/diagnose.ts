import { readMastodonEnv } from "../../components/mastodon-env/model";
import { providerOfEndpoint, type Recognized } from "../../components/mastodon-env/providers";
import type { DoctorContext, Finding } from "./finding";
import { RULES } from "./rules";
import { basics } from "./rules/basics";

export interface Diagnosis {
  provider: Recognized;
  findings: Finding[];
}

const ORDER = { error: 0, warning: 1, info: 2 } as const;

/**
 * Every finding for an env (the values of components/mastodon-env/env-file.ts), with the previous env when the
 * admin changes one. Pure: touches nothing, reads no network. Findings are sorted errors first, stable within.
 */
export function diagnoseEnv(values: ReadonlyMap<string, string>, previousValues?: ReadonlyMap<string, string>): Diagnosis {
  const env = readMastodonEnv(values);
  const provider = providerOfEndpoint(env.endpoint, env.region);
  const context: DoctorContext = {
    env,
    values,
    provider,
    previous: previousValues ? { env: readMastodonEnv(previousValues), values: previousValues } : undefined,
  };
  // With S3 disabled nothing else applies (paperclip.rb: `if ENV['S3_ENABLED'] == 'true'`).
  const rules = env.enabled ? RULES : [basics];
  const findings = rules.flatMap((rule) => rule(context));
  findings.sort((a, b) => ORDER[a.severity] - ORDER[b.severity]);
  return { provider, findings };
}

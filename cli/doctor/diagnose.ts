import { readMastodonEnv } from "../../mastodon-env/model";
import { intendedProvider, PROVIDERS, type ProviderId, type Recognized } from "../../mastodon-env/providers";
import type { DoctorContext, Finding } from "./finding";
import { RULES } from "./rules";
import { basics } from "./rules/basics";
import { placeholders } from "./rules/placeholders";

export interface Diagnosis {
  provider: Recognized;
  findings: Finding[];
}

const ORDER = { error: 0, warning: 1, info: 2 } as const;

/**
 * `providerId` overrides the provider recognised from S3_ENDPOINT.
 * Every finding for an env (the values of mastodon-env/env-file.ts), with the previous env when the
 * admin changes one. Pure: touches nothing, reads no network. Findings are sorted errors first, stable within.
 */
export function diagnoseEnv(
  values: ReadonlyMap<string, string>,
  previousValues?: ReadonlyMap<string, string>,
  providerId?: ProviderId,
): Diagnosis {
  const env = readMastodonEnv(values);
  // Without S3_ENDPOINT the SDK calls AWS; a non-AWS S3_HOSTNAME or S3_REGION names the provider meant (its quirks apply).
  const recognized = intendedProvider(env.endpoint, env.region, values.get("S3_HOSTNAME"));
  // `--provider`: the endpoint is a proxy or private name in front of a known provider; its quirks apply.
  const provider = providerId ? { ...recognized, provider: PROVIDERS[providerId] } : recognized;
  const context: DoctorContext = {
    env,
    values,
    provider,
    previous: previousValues ? { env: readMastodonEnv(previousValues), values: previousValues } : undefined,
  };
  // With S3 disabled nothing else applies (paperclip.rb: `if ENV['S3_ENABLED'] == 'true'`).
  // A placeholder pasted from a plan or a masked copy is an error whether or not S3 is enabled.
  // Other findings about a variable that holds a placeholder would blame the placeholder's shape, not the cause.
  const pasted = placeholders(context);
  const blamed = new Set(pasted.filter((f) => !f.problem.startsWith("in --previous")).map((f) => f.variable));
  const findings = [
    ...pasted,
    ...(env.enabled ? RULES : [basics])
      .flatMap((rule) => rule(context))
      .filter((f) => !f.variable.split(/ and |, /).some((v) => blamed.has(v))),
  ];
  findings.sort((a, b) => ORDER[a.severity] - ORDER[b.severity]);
  return { provider, findings };
}

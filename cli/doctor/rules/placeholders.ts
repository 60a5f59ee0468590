import { findPlaceholders, PLACEHOLDER_FIX } from "../../../mastodon-env/placeholders";
import { finding, type Rule } from "../finding";

/**
 * A storage variable holding a placeholder this project prints ("(known after deploy)", "[secret]", `<...>`,
 * `...`: mastodon-env/placeholders.ts), in the env or in --previous: Mastodon would use it as the real
 * bucket, host or key. The value is never shown (a mask may sit in a secret).
 */
export const placeholders: Rule = ({ values, previous }) => [
  ...findPlaceholders(values).map((p) =>
    finding(
      "placeholder-value",
      "error",
      p.variable,
      p.problem,
      `${PLACEHOLDER_FIX} (a plan or a masked copy shows placeholders)`,
    ),
  ),
  ...(previous ? findPlaceholders(previous.values) : []).map((p) =>
    finding(
      "placeholder-value",
      "error",
      p.variable,
      `in --previous: ${p.problem}`,
      "give --previous the env file Mastodon actually ran with",
    ),
  ),
];

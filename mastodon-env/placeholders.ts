import { MOCK_PLACEHOLDER, OFFLINE_SECRET_PLACEHOLDER, SECRET_MASK } from "../components/masks";
import { CACHE_BUSTER_VARIABLES } from "./cache-buster";
import { STORAGE_VARIABLES } from "./model";

/**
 * Values this project PRINTS in place of a real one, and that a user may paste back into an env file: the masks
 * of components/masks.ts (the offline plan's "(known after deploy)", the masked secret "[secret]", the offline
 * plan's secret config stand-in), the `<...>`
 * templates of migrate's offline plan and doctor's fixes (`<writer key id, after pulumi up>`,
 * `S3_BUCKET=<your bucket name>`), and the `...` of `AWS_ACCESS_KEY_ID=...` or of a value cut short for display.
 * Mastodon would use any of them as a real bucket, host or key and fail on every upload, or worse, copy to it.
 */
const MARKERS: readonly { test(value: string): boolean; what: string }[] = [
  { test: (v) => v.includes(MOCK_PLACEHOLDER), what: `the offline plan's ${MOCK_PLACEHOLDER}` },
  { test: (v) => v.includes(SECRET_MASK), what: `the masked value ${SECRET_MASK}` },
  { test: (v) => v.includes(OFFLINE_SECRET_PLACEHOLDER), what: "the offline plan's secret stand-in" },
  { test: (v) => /<[^<>]*>/.test(v), what: "a <...> template" },
  { test: (v) => v.endsWith("...") || v.endsWith("\u2026"), what: "a mask or a value cut short with ..." },
];

/**
 * One placeholder value found in an env: the variable it is in and which kind of placeholder it is.
 * Never carries the value (it may be a secret with a mask pasted into it).
 */
export interface Placeholder {
  variable: string;
  /** What the value looks like, e.g. `the masked value [secret]`. */
  what: string;
  /** What is wrong, naming the variable, without the value. */
  problem: string;
  /** Where the real value comes from. */
  fix: string;
}

export const PLACEHOLDER_FIX =
  "write the real value from `pulumi stack output envProduction --show-secrets` after `pulumi up`";

/**
 * Every storage variable (STORAGE_VARIABLES of ./model.ts) or CACHE_BUSTER_* variable (./cache-buster.ts) whose
 * value is a placeholder this project prints, in that order. `values` are an env file's values (./env-file.ts). Pure; never returns a value.
 */
export function findPlaceholders(values: ReadonlyMap<string, string>): Placeholder[] {
  const found: Placeholder[] = [];
  for (const variable of [...STORAGE_VARIABLES, ...CACHE_BUSTER_VARIABLES]) {
    const value = values.get(variable);
    if (!value) continue;
    const what = placeholderKind(value);
    if (!what) continue;
    found.push({
      variable,
      what,
      problem: `${variable} holds a placeholder (${what}), not a real value: it looks copied from a plan or a masked output`,
      fix: PLACEHOLDER_FIX,
    });
  }
  return found;
}

/**
 * Which placeholder this project prints a value is (e.g. `the offline plan's (known after deploy)`), or undefined
 * for a value that is none: for any value read back from a user, such as a stack output (cdn-purge/site.ts). Pure.
 */
export function placeholderKind(value: string): string | undefined {
  return MARKERS.find((m) => m.test(value.trim()))?.what;
}

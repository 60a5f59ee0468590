import type { MastodonEnv } from "../../mastodon-env/model";
import type { Recognized } from "../../mastodon-env/providers";

/**
 * One thing doctor found, the way `brew doctor` prints it: how bad, which variable, what goes wrong in Mastodon,
 * and the exact fix. Never carries a credential's value.
 *
 * - error: Mastodon fails with this env (uploads, URLs or the CSP break).
 * - warning: it breaks on some providers or settings doctor cannot see offline, or loses data/cleanup.
 * - info: valid, but worth knowing (and how to check what doctor cannot).
 */
export type Severity = "error" | "warning" | "info";

export interface Finding {
  /** Stable id, e.g. `permission-refused` (docs/troubleshooting.md lists every one). */
  id: string;
  severity: Severity;
  /** The variable to change (or the one the finding is about). */
  variable: string;
  /** What goes wrong in Mastodon. */
  problem: string;
  /** The exact fix: the line to write, or the command to run. */
  fix: string;
  /** verify check ids whose failure this finding explains (for `--live`). */
  explains?: string[];
}

/** What every rule reads: the env as Mastodon reads it, the provider its endpoint names, the previous env. */
export interface DoctorContext {
  env: MastodonEnv;
  values: ReadonlyMap<string, string>;
  provider: Recognized;
  /** The env before a change (`--previous`). */
  previous?: { env: MastodonEnv; values: ReadonlyMap<string, string> };
}

export type Rule = (context: DoctorContext) => Finding[];

export function finding(id: string, severity: Severity, variable: string, problem: string, fix: string, explains?: string[]): Finding {
  return explains ? { id, severity, variable, problem, fix, explains } : { id, severity, variable, problem, fix };
}

import type { MastodonEnv } from "../../mastodon-env/model";
import type { CheckId } from "../../live-checks/registry";
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

/**
 * Every finding doctor can report, by its stable id, in the order docs/troubleshooting.md lists them (a test holds
 * the two equal). The rules in cli/doctor/rules/ can only raise these.
 */
export const FINDING_IDS = [
  "placeholder-value",
  "local-storage",
  "s3-not-enabled",
  "bucket-missing",
  "credentials-missing",
  "signature-version",
  "endpoint-empty",
  "endpoint-not-url",
  "endpoint-scheme",
  "endpoint-http",
  "endpoint-http-private",
  "bucket-in-endpoint",
  "endpoint-path",
  "override-path-style-ignored",
  "endpoint-missing",
  "path-style-refused",
  "override-path-style-value",
  "virtual-host-style-self-hosted",
  "region-server-setting",
  "region-empty",
  "region-mismatch",
  "permission-invalid",
  "permission-public-write",
  "permission-refused",
  "permission-unsupported",
  "permission-acls-disabled",
  "media-host-missing",
  "alias-empty",
  "hostname-empty",
  "hostname-region",
  "alias-invalid",
  "alias-scheme",
  "alias-port",
  "alias-path",
  "bucket-in-alias",
  "alias-trailing-slash",
  "alias-other-bucket",
  "cloudfront-host-legacy",
  "r2-dev-host",
  "protocol-invalid",
  "protocol-http",
  "checksum-invalid",
  "checksum-variables",
  "checksum-mode-ignored",
  "multipart-threshold-empty",
  "multipart-threshold-bytes",
  "force-single-request-value",
  "force-single-request",
  "batch-delete-limit",
  "batch-delete-retry",
  "storage-class-archive",
  "storage-class-minimums",
  "retry-limit",
  "timeout-value",
  "other-backend",
  "r2-secret-raw-token",
  "r2-key-id-shape",
  "extra-media-host-invalid",
  "extra-media-host-scheme",
  "extra-media-host-path",
  "key-prefix-empty",
  "key-prefix-orphans",
  "media-host-changed",
  "--previous",
  "moved-from-local",
  "move-keeps-acls",
  "system-redirect-unchecked",
  "cache-buster-off",
  "cache-buster-header-incomplete",
  "cache-buster-unauthenticated",
  "cache-buster-method-unknown",
  "cache-buster-purge-method",
  "cache-buster-no-acl-suspension",
] as const;

export type FindingId = (typeof FINDING_IDS)[number];

export interface Finding {
  /** Stable id, e.g. `permission-refused` (docs/troubleshooting.md lists every one). */
  id: FindingId;
  severity: Severity;
  /** The variable to change (or the one the finding is about). */
  variable: string;
  /** What goes wrong in Mastodon. */
  problem: string;
  /** The exact fix: the line to write, or the command to run. */
  fix: string;
  /** The live checks (live-checks/checks/<id>.ts) whose failure this finding explains (for `--live`). */
  explains?: CheckId[];
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

export function finding(
  id: FindingId,
  severity: Severity,
  variable: string,
  problem: string,
  fix: string,
  explains?: CheckId[],
): Finding {
  return explains ? { id, severity, variable, problem, fix, explains } : { id, severity, variable, problem, fix };
}

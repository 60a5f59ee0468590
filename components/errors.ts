/**
 * A mistake the user can fix (bad config, unreachable host). The CLIs print these without a stack trace;
 * anything else is a bug in this project and keeps its trace.
 */
export class UserError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UserError";
  }
}

/** One problem in the stack config: where it is, what is wrong. */
export interface ConfigIssue {
  /** Dotted key path as it appears in `pulumi config`, e.g. `aws.dns.zoneId`. */
  readonly path: string;
  /** The key as written, when it is not `mastodon-media:<path>` (a key under another namespace). */
  readonly key?: string;
  readonly message: string;
  /** The offending value, when there is one (never a secret: secrets do not go through this schema). */
  readonly value?: unknown;
}

/** Every problem of a stack config at once. Thrown before any resource is registered. */
export class ConfigError extends UserError {
  constructor(readonly issues: readonly ConfigIssue[]) {
    super(formatConfigIssues(issues));
    this.name = "ConfigError";
  }
}

export function formatConfigIssues(issues: readonly ConfigIssue[]): string {
  const lines = issues.map((issue) => {
    const shown = issue.value === undefined ? "" : ` (got ${JSON.stringify(issue.value)})`;
    return `  - ${issue.key ?? `mastodon-media:${issue.path}`}: ${issue.message}${shown}`;
  });
  const noun = issues.length === 1 ? "problem" : "problems";
  return `The stack config has ${issues.length} ${noun}; nothing was created:\n${lines.join("\n")}`;
}

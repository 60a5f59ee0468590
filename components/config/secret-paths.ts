import type { ConfigIssue } from "../errors";

/**
 * The config fields that hold secrets (`pulumi config set --secret --path ...`): the SSH key and the Mastodon
 * token of `mastodonHost` (components/config/mastodon-host.ts). Every other key of this project is plain text.
 */
export const SECRET_FIELDS: readonly string[] = ["mastodonHost.privateKey", "mastodonHost.accessToken"];

/** Top-level keys that may carry a `secure:` value because a field inside them is a secret. */
export const SECRET_HOLDERS: ReadonlySet<string> = new Set(SECRET_FIELDS.map((field) => field.split(".")[0] as string));

/**
 * Whether a config issue may show the value it is about. Never for a secret field, for an object that holds one,
 * or for a key this project does not know: a misspelled secret (`privatekey`) is still a secret.
 * Shape: a dotted key path as in ConfigIssue.path.
 */
export function mayShowValue(path: string, unknownKey: boolean): boolean {
  if (unknownKey) return false;
  return !SECRET_FIELDS.some((field) => path === field || path.startsWith(`${field}.`) || field.startsWith(`${path}.`));
}

/** The issue without its value where mayShowValue says so; otherwise the same issue. */
export function withoutSecretValue(issue: ConfigIssue, unknownKey = false): ConfigIssue {
  if (issue.value === undefined || mayShowValue(issue.path, unknownKey)) return issue;
  const { value: _hidden, ...rest } = issue;
  return rest;
}

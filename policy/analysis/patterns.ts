/**
 * IAM wildcard matching (IAM user guide, "IAM JSON policy elements: Action / Resource"): `*` matches any run of
 * characters, `?` exactly one. Action names are case-insensitive; ARNs are case-sensitive.
 */

export function hasWildcard(pattern: string): boolean {
  return /[*?]/.test(pattern);
}

export function wildcardMatches(pattern: string, value: string, options: { caseInsensitive: boolean }): boolean {
  const source = pattern
    .split("")
    .map((char) => (char === "*" ? ".*" : char === "?" ? "." : char.replace(/[.+^${}()|[\]\\]/g, "\\$&")))
    .join("");
  return new RegExp(`^${source}$`, options.caseInsensitive ? "is" : "s").test(value);
}

export function actionMatches(pattern: string, action: string): boolean {
  return wildcardMatches(pattern, action, { caseInsensitive: true });
}

export function resourceMatches(pattern: string, resource: string): boolean {
  return wildcardMatches(pattern, resource, { caseInsensitive: false });
}

/** The literal start of a pattern, up to its first wildcard. */
export function literalPrefix(pattern: string): string {
  const index = pattern.search(/[*?]/);
  return index === -1 ? pattern : pattern.slice(0, index);
}

/** Whether an action pattern names exactly one of the given actions (no wildcard, case-insensitive). */
export function isOneOfActions(pattern: string, allowed: readonly string[]): boolean {
  return !hasWildcard(pattern) && allowed.some((action) => action.toLowerCase() === pattern.toLowerCase());
}

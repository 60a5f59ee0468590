/**
 * `--json [FILE]`, as verify and doctor take it: node's util.parseArgs has no optional option values, so the flag
 * and its value are taken out of argv first. A following argument is the FILE unless it is another flag; `-` (or
 * no FILE) means standard output.
 *
 * Shape: argv in, argv without `--json [FILE]` out, and `json`: undefined when the flag is absent, `"-"` for
 * standard output, else the file path.
 */
export function takeJsonOption(argv: readonly string[]): { argv: string[]; json?: string } {
  const rest = [...argv];
  const at = rest.indexOf("--json");
  if (at < 0) return { argv: rest };
  const next = rest[at + 1];
  const hasValue = next !== undefined && (next === "-" || !next.startsWith("-"));
  rest.splice(at, hasValue ? 2 : 1);
  return { argv: rest, json: hasValue ? next : "-" };
}

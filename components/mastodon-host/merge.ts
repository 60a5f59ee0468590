/**
 * Merging the rendered storage block into an existing `.env.production`, as a pure function. The remote script
 * (script.ts) does the same in POSIX sh + awk on the Mastodon host; the tests run both on the same fixtures.
 *
 * Rules:
 * - A line is an assignment when it reads `[export ]NAME=...` (dotenv's syntax, as parsed by
 *   mastodon-env/env-file.ts; spaces around `=` too, since dotenv reads them). A double-quoted
 *   value may run over several lines; those lines belong to their assignment.
 * - The storage variables are replaced: every assignment (with all its lines, every duplicate, with or without
 *   `export`, quoted or not) whose name the block sets or that says where the storage is (LOCATION_VARIABLES)
 *   is removed, and the block goes where the first of them was, or at the end when there was none.
 * - Every other line is kept byte for byte: comments (also commented-out S3 lines), blank lines, other
 *   variables, CR LF endings. A last line without a line ending gets one (the file's own, see below).
 * - New lines use the file's line ending (that of its first line) and `export ` when the first replaced line
 *   had it (a file meant for `source`).
 */

/**
 * Variables that describe WHERE the storage is: a value left over from a previous storage would send Mastodon
 * there (config/initializers/paperclip.rb reads them all), so they are removed even when the new block does not
 * set them. Tuning variables (S3_MULTIPART_THRESHOLD, S3_READ_TIMEOUT, S3_STORAGE_CLASS...) are kept.
 */
export const LOCATION_VARIABLES = [
  "S3_ENABLED",
  "S3_BUCKET",
  "S3_REGION",
  "S3_PROTOCOL",
  "S3_ENDPOINT",
  "S3_HOSTNAME",
  "S3_ALIAS_HOST",
  "S3_KEY_PREFIX",
  "S3_PERMISSION",
  "S3_OVERRIDE_PATH_STYLE",
  "S3_SIGNATURE_VERSION",
  "AWS_ACCESS_KEY_ID",
  "AWS_SECRET_ACCESS_KEY",
  "AWS_SESSION_TOKEN",
  // Where bust requests go and what they carry: a previous edge's buster (components/cache-buster.ts) must not
  // keep sending its secret to a media host that does not act on it.
  "CACHE_BUSTER_ENABLED",
  "CACHE_BUSTER_SECRET_HEADER",
  "CACHE_BUSTER_SECRET",
  "CACHE_BUSTER_HTTP_METHOD",
] as const;

export interface MergeResult {
  text: string;
  /** 1-based line numbers of the removed lines in the old file. */
  removedLines: number[];
  /** Where the block went: the line number it starts at in the new file. */
  insertedAt: number;
}

const ASSIGNMENT = /^[ \t]*(export[ \t]+)?([A-Za-z_][A-Za-z0-9_]*)[ \t]*=[ \t]*(.*)$/;

/** The names an env block sets (`NAME=value` lines). */
export function blockNames(block: string): string[] {
  return block.split(/\r?\n/).flatMap((line) => {
    const match = ASSIGNMENT.exec(line);
    return match ? [match[2] as string] : [];
  });
}

/** Merges `block` (renderEnv's output) into the text of an env file. See the rules above. */
export function mergeEnvBlock(existing: string, block: string): MergeResult {
  const managed = new Set<string>([...LOCATION_VARIABLES, ...blockNames(block)]);
  const eol = /^[^\n]*\r\n/.test(existing) ? "\r\n" : "\n";
  const complete = existing === "" || existing.endsWith("\n") ? existing : existing + eol;
  const lines = complete.match(/[^\n]*\n/g) ?? [];
  const blockLines = block.split(/\r?\n/).filter((line) => line.trim() !== "");

  const out: string[] = [];
  const removedLines: number[] = [];
  let insertedAt = -1;
  let inQuote: "keep" | "drop" | undefined;
  const insert = (exported: boolean) => {
    insertedAt = out.length + 1;
    for (const line of blockLines) out.push(`${exported ? "export " : ""}${line}${eol}`);
  };

  lines.forEach((raw, index) => {
    const body = raw.replace(/\r?\n$/, "");
    if (inQuote) {
      // A line inside a multi-line value belongs to its assignment, whatever it looks like.
      if (inQuote === "keep") out.push(raw);
      else removedLines.push(index + 1);
      if (closesQuote(body)) inQuote = undefined;
      return;
    }
    const match = ASSIGNMENT.exec(body);
    const opens = match ? opensMultiline(match[3] as string) : false;
    if (match && managed.has(match[2] as string)) {
      if (insertedAt < 0) insert(match[1] !== undefined);
      removedLines.push(index + 1);
      if (opens) inQuote = "drop";
      return;
    }
    if (opens) inQuote = "keep";
    out.push(raw);
  });
  if (insertedAt < 0) insert(false);
  return { text: out.join(""), removedLines, insertedAt };
}

/** A value that opens a double quote it does not close on the same line (dotenv's multi-line values). */
function opensMultiline(value: string): boolean {
  return value.startsWith('"') && !closesQuote(value.slice(1));
}

/** True when the text holds an unescaped double quote (backslash escapes, as env-file.ts reads them). */
function closesQuote(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    if (text[i] === "\\") i++;
    else if (text[i] === '"') return true;
  }
  return false;
}

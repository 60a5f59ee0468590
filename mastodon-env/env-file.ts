/**
 * A strict reader for `.env.production` files: the dotenv syntax Mastodon's files use (`NAME=value`,
 * `export NAME=value`, `#` comments, single- or double-quoted values, double-quoted values over several lines).
 * Anything else is reported with its line number and never with its text, since the file holds credentials:
 * a malformed line names its variable only when the name has the shape of an environment variable name
 * (`displayableName`), so a secret pasted on a line of its own, or in front of an `=`, is never repeated.
 */

export interface EnvFile {
  /** The last value of each name, as dotenv would load it. */
  values: Map<string, string>;
  /** The line each name was (last) set on. */
  lines: Map<string, number>;
  problems: string[];
  /** Names that start a malformed line: reported there, so not to be reported again as missing. */
  malformed: Set<string>;
}

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Names whose repetition is worth a problem: the ones verify reads. */
const WATCHED = /^(S3_|AWS_|EXTRA_MEDIA_HOSTS$)/;

/**
 * The names doctor, verify and migrate read. A malformed line that plainly sets another variable (SMTP_LOGIN,
 * DB_PASS...) is passed over without a problem, as Mastodon's dotenv passes over a line it cannot parse
 * (the dotenv gem's Dotenv::Parser scans for assignments and skips the rest): a whole `.env.production` is
 * read for its storage lines, and the rest of it is not ours to judge. A malformed line whose variable cannot
 * be told (a bare secret, `1BAD=x`) is still reported, by number only: it may be a broken storage line.
 */
const READ =
  /^(S3_|AWS_|CACHE_BUSTER_|EXTRA_MEDIA_HOSTS$|LOCAL_DOMAIN$|WEB_DOMAIN$|CDN_HOST$|PAPERCLIP_ROOT_URL$|EXTRA_DATA_HOSTS$|SWIFT_ENABLED$|AZURE_ENABLED$)/;

export function parseEnvFile(text: string): EnvFile {
  const file: EnvFile = { values: new Map(), lines: new Map(), problems: [], malformed: new Set() };
  const rows = text.replace(/^\uFEFF/, "").split(/\r?\n/);
  for (let index = 0; index < rows.length; index++) {
    const line = (rows[index] ?? "").trim();
    if (line === "" || line.startsWith("#")) continue;
    const result = parseAssignment(line, rows, index);
    const lineNumber = index + 1;
    index = result.lastIndex;
    if ("problem" in result) {
      const intended = intendedName(line);
      if (intended && !READ.test(intended) && intended === rawName(line)) continue;
      file.problems.push(`line ${lineNumber}: ${result.problem}`);
      if (intended) file.malformed.add(intended);
      continue;
    }
    const previous = file.lines.get(result.name);
    if (previous !== undefined && WATCHED.test(result.name)) {
      file.problems.push(`line ${result.line}: ${result.name} is already set on line ${previous}: keep one of them`);
    }
    file.values.set(result.name, result.value);
    file.lines.set(result.name, result.line);
  }
  return file;
}

type Assignment =
  { name: string; value: string; line: number; lastIndex: number } | { problem: string; lastIndex: number };

/** One assignment starting at rows[index]; a double-quoted value may continue on the following rows. */
function parseAssignment(line: string, rows: readonly string[], index: number): Assignment {
  const lineNumber = index + 1;
  const assignment = /^(?:export\s+)?([^=\s]*)(\s*)=(.*)$/.exec(line);
  if (!assignment) {
    const intended = intendedName(line);
    return {
      problem: intended
        ? `${intended} has no '=': expected ${intended}=value`
        : "expected NAME=value (the line is not shown: it may hold a credential)",
      lastIndex: index,
    };
  }
  const [, name = "", spaces = "", rest = ""] = assignment;
  if (!NAME.test(name))
    return {
      problem:
        "the text before '=' is not a variable name (letters, digits and _); the line is not shown: it may hold a credential",
      lastIndex: index,
    };
  const shown = displayableName(name) ? name : "the variable on this line";
  if (spaces !== "" || /^\s/.test(rest)) {
    // dotenv tolerates it, Docker's env_file keeps the spaces in the name or value: say so rather than guess.
    return { problem: `${shown} has spaces around '=': write NAME=value without spaces`, lastIndex: index };
  }
  const parsed = parseValue(rest, rows, index);
  if ("problem" in parsed) return { problem: `${shown} ${parsed.problem}`, lastIndex: parsed.lastIndex };
  return { name, value: parsed.value, line: lineNumber, lastIndex: parsed.lastIndex };
}

type ParsedValue = { value: string; lastIndex: number } | { problem: string; lastIndex: number };

/**
 * The shape of every variable name Mastodon and its tooling read: upper-case words joined by `_` (S3_BUCKET,
 * AWS_SECRET_ACCESS_KEY, LOCAL_DOMAIN). A credential (an access key id such as AKIA..., a token, a base64 secret)
 * has no such shape, so a name of this shape may be shown and anything else is not.
 */
const DISPLAYABLE_NAME = /^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+$/;

export function displayableName(name: string): boolean {
  return name.length <= 64 && DISPLAYABLE_NAME.test(name);
}

/** What stands before the first `=`, space or `-` of a line (after `export`): a variable name when well formed. */
function rawName(line: string): string {
  return /^(?:export\s+)?([^=\s-]*)/.exec(line)?.[1] ?? "";
}

/** The variable a malformed line means to set, when its name may be shown. */
function intendedName(line: string): string | undefined {
  const name = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)/.exec(line)?.[1];
  return name && displayableName(name) ? name : undefined;
}

function parseValue(rest: string, rows: readonly string[], index: number): ParsedValue {
  const quote = rest[0];
  if (quote === "'" || quote === '"') return parseQuoted(quote, rest, rows, index);
  // Unquoted: an inline comment starts at " #".
  const value = rest.replace(/\s+#.*$/, "").trimEnd();
  if (/["']/.test(value))
    return { problem: "has a stray quote: quote the whole value or none of it", lastIndex: index };
  if (value.includes("#"))
    return { problem: "has a '#' in an unquoted value, where dotenv cuts it: quote the value", lastIndex: index };
  return { value, lastIndex: index };
}

function parseQuoted(quote: string, rest: string, rows: readonly string[], index: number): ParsedValue {
  let text = rest.slice(1);
  let lastIndex = index;
  for (;;) {
    const end = closingQuote(text, quote);
    if (end >= 0) {
      const after = text.slice(end + 1).trim();
      if (after !== "" && !after.startsWith("#")) return { problem: "has text after its closing quote", lastIndex };
      const raw = text.slice(0, end);
      return { value: quote === '"' ? unescapeDouble(raw) : raw, lastIndex };
    }
    // Only double quotes may span lines (dotenv); a single-quoted value must close on its line. An unclosed
    // quote is reported on its own line and the lines after it are read normally, so each problem shows once.
    if (quote === "'" || lastIndex + 1 >= rows.length) {
      return { problem: `has no closing ${quote === '"' ? "double" : "single"} quote`, lastIndex: index };
    }
    lastIndex++;
    text = `${text}\n${rows[lastIndex] ?? ""}`;
  }
}

function closingQuote(text: string, quote: string): number {
  for (let i = 0; i < text.length; i++) {
    if (quote === '"' && text[i] === "\\") {
      i++;
      continue;
    }
    if (text[i] === quote) return i;
  }
  return -1;
}

function unescapeDouble(raw: string): string {
  return raw.replace(/\\([nrt"\\$])/g, (_, char: string) => ({ n: "\n", r: "\r", t: "\t" })[char] ?? char);
}

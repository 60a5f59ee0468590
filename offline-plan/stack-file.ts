import { existsSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { parse, YAMLParseError } from "yaml";
import { UserError } from "../components/errors";
import { OFFLINE_SECRET_PLACEHOLDER } from "../components/masks";

export interface StackFileConfig {
  /** Every key as the CLI passes it to the program: `namespace:key` -> string (structured values as JSON). */
  config: Record<string, string>;
  secretKeys: string[];
}

/**
 * Whether a stack is production or test, the one way every command decides it: `mastodon-media:environment`,
 * production unless it says `test` (components/config/common.ts: an enum of the two, default production).
 */
export function stackEnvironment(config: Readonly<Record<string, string>>): "production" | "test" {
  return config["mastodon-media:environment"] === "test" ? "test" : "production";
}

export function stackFilePath(stack: string, root: string): string {
  return path.join(root, `Pulumi.${stack}.yaml`);
}

/** Reads `Pulumi.<stack>.yaml` the way the Pulumi CLI hands its `config:` block to a program. */
export function readStackFile(stack: string, root: string): StackFileConfig {
  const file = stackFilePath(stack, root);
  if (!/^[A-Za-z0-9_.-]+$/.test(stack))
    throw new UserError(`--stack must be a stack name such as aws or dev (got ${JSON.stringify(stack)})`);
  if (!existsSync(file))
    throw new UserError(`There is no ${path.basename(file)}: create it, or pick one of the committed stacks.`);
  const document = parseStackYaml(readFileSync(file, "utf8"), path.basename(file));
  const config: Record<string, string> = {};
  const secretKeys: string[] = [];
  for (const [key, value] of Object.entries(document.config ?? {})) {
    if (holdsSecure(value)) {
      config[key] = OFFLINE_SECRET_PLACEHOLDER;
      secretKeys.push(key);
    } else {
      config[key] = typeof value === "string" ? value : JSON.stringify(value);
    }
  }
  return { config, secretKeys };
}

/**
 * The stack file's YAML: a syntax error names the file, the line and the column (never the rest of the
 * parser's message, which quotes the file), and a file whose `config` is not a mapping is named as such.
 */
export function parseStackYaml(text: string, name: string): { config?: Record<string, unknown> } {
  let document: unknown;
  try {
    document = parse(text);
  } catch (error) {
    if (error instanceof YAMLParseError) {
      const [start] = error.linePos ?? [];
      const where = start ? `${name}:${start.line}:${start.col}` : name;
      const reason = error.message.split("\n")[0].replace(/ at line \d+, column \d+:?$/, "");
      throw new UserError(`${where}: not valid YAML: ${reason}`);
    }
    throw error;
  }
  if (document === null || document === undefined) return {};
  const config = (document as { config?: unknown }).config;
  if (
    typeof document !== "object" ||
    Array.isArray(document) ||
    (config != null && (typeof config !== "object" || Array.isArray(config)))
  ) {
    throw new UserError(
      `${name}: not a stack file: it must be a mapping with a config: mapping of keys (as pulumi config set writes it)`,
    );
  }
  return { config: (config ?? undefined) as Record<string, unknown> | undefined };
}

/** A `secure:` value, also one nested in a structured value (Pulumi then treats the whole key as secret). */
function holdsSecure(value: unknown): boolean {
  if (typeof value !== "object" || value === null) return false;
  if (!Array.isArray(value) && Object.keys(value).length === 1 && "secure" in value) return true;
  return Object.values(value).some(holdsSecure);
}

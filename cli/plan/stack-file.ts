import { existsSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import { UserError } from "../../components/errors";

export interface StackFileConfig {
  /** Every key as the CLI passes it to the program: `namespace:key` -> string (structured values as JSON). */
  config: Record<string, string>;
  secretKeys: string[];
}

/** A `secure:` value cannot be decrypted offline; the program receives this placeholder, marked secret. */
export const OFFLINE_SECRET_PLACEHOLDER = "offline-plan-secret-placeholder";

export function stackFilePath(stack: string, root: string): string {
  return path.join(root, `Pulumi.${stack}.yaml`);
}

/** Reads `Pulumi.<stack>.yaml` the way the Pulumi CLI hands its `config:` block to a program. */
export function readStackFile(stack: string, root: string): StackFileConfig {
  const file = stackFilePath(stack, root);
  if (!/^[A-Za-z0-9_.-]+$/.test(stack)) throw new UserError(`--stack must be a stack name such as aws or dev (got ${JSON.stringify(stack)})`);
  if (!existsSync(file)) throw new UserError(`There is no ${path.basename(file)}: create it, or pick one of the committed stacks.`);
  const document = (parse(readFileSync(file, "utf8")) ?? {}) as { config?: Record<string, unknown> };
  const config: Record<string, string> = {};
  const secretKeys: string[] = [];
  for (const [key, value] of Object.entries(document.config ?? {})) {
    if (isSecure(value)) {
      config[key] = OFFLINE_SECRET_PLACEHOLDER;
      secretKeys.push(key);
    } else {
      config[key] = typeof value === "string" ? value : JSON.stringify(value);
    }
  }
  return { config, secretKeys };
}

function isSecure(value: unknown): boolean {
  return typeof value === "object" && value !== null && Object.keys(value).length === 1 && "secure" in value;
}

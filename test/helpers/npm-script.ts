import { readFileSync } from "node:fs";
import * as path from "node:path";

const ROOT = path.resolve(__dirname, "../..");

/**
 * The node arguments of `npm run NAME` (package.json `scripts.NAME` without its leading `node`), so that a test
 * that starts a command as a process runs the command users run, loader included: e.g.
 * `["--require", "./cli/load-typescript.cjs", "cli/verify/main.ts"]` for `verify`. Append the command's own
 * arguments; run it with `process.execPath` in the project's folder.
 */
export function commandNodeArgs(name: string): string[] {
  const scripts = (
    JSON.parse(readFileSync(path.join(ROOT, "package.json"), "utf8")) as { scripts: Record<string, string> }
  ).scripts;
  const [command, ...args] = (scripts[name] ?? "").trim().split(/\s+/);
  if (command !== "node")
    throw new Error(`package.json scripts.${name} must start with node (got ${JSON.stringify(scripts[name])})`);
  return args.map((arg) => (arg.startsWith("./") ? path.join(ROOT, arg) : arg));
}

import { readFileSync } from "node:fs";
import type { CommandIo } from "./command";
import { userPath, writeUserFile } from "./user-files";

/** Reads an env file, or standard input for `-`; a problem names the source, never its content. */
export function readEnvSource(source: string): { text: string } | { problem: string } {
  if (source === "-") {
    if (process.stdin.isTTY) return { problem: "--env - reads the env from standard input, but nothing is piped in" };
    const text = readFileSync(0, "utf8");
    return text.trim() === "" ? { problem: "the env on standard input is empty" } : { text };
  }
  try {
    return { text: readFileSync(userPath(source), "utf8") };
  } catch (error) {
    return { problem: `cannot read ${source} (${(error as NodeJS.ErrnoException).code ?? "error"})` };
  }
}

/**
 * Writes a JSON report to standard output (`-`) or a file. `npm run X -- --json` prints npm's banner
 * ("> mastodon-media@0.1.0 X") on standard output first: a file, or `npm run --silent`, gives clean JSON.
 */
export function writeJson(target: string, value: unknown, io: CommandIo): void {
  const text = `${JSON.stringify(value, null, 2)}\n`;
  if (target === "-") io.out(text);
  else writeUserFile("--json", target, text);
}

import { statSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { UserError } from "../../components/errors";

/**
 * A path the user typed, resolved against the folder they typed it in. `npm run X` runs the script in the
 * project's root and keeps the caller's folder in INIT_CWD (npm docs, "npm run-script": "INIT_CWD"), so
 * `npm --prefix ~/mastodon-media run doctor -- --env .env.production` reads the caller's file.
 * Shape: a path string in, an absolute path out; `-` (standard input or output) is returned as it is.
 */
export function userPath(file: string): string {
  if (file === "-") return file;
  return path.resolve(process.env.INIT_CWD ?? process.cwd(), file);
}

/**
 * Writes a file the user asked for with OPTION (`--json`, `--markdown`). A path that cannot be written (a missing
 * folder, a directory, no permission) is the user's mistake: a UserError naming the option, the path and the
 * reason (its errno code), which the commands print in one line with exit 2, never a stack trace.
 */
export function writeUserFile(option: string, file: string, text: string): void {
  const target = userPath(file);
  try {
    writeFileSync(target, text);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? "error";
    const reason = {
      ENOENT: "its folder does not exist",
      EISDIR: "it is a folder",
      EACCES: "permission denied",
      EROFS: "read-only file system",
    }[code];
    throw new UserError(`${option} ${file}: cannot write it (${reason ?? code})`);
  }
}

/**
 * What is wrong with FILE as the output of OPTION, checked before any work is done, or undefined when it can be
 * written as far as can be told (its folder exists and it is not a folder itself). `-` is standard output.
 */
export function outputFileProblem(option: string, file: string): string | undefined {
  if (file === "-") return undefined;
  const target = userPath(file);
  try {
    if (statSync(target).isDirectory()) return `${option} ${file}: is a folder, not a file`;
  } catch {
    // Not there yet: its folder must be.
  }
  try {
    if (!statSync(path.dirname(target)).isDirectory())
      return `${option} ${file}: ${path.dirname(file)} is not a folder`;
  } catch {
    return `${option} ${file}: its folder ${path.dirname(file)} does not exist`;
  }
  return undefined;
}

import { readdirSync, readFileSync } from "node:fs";
import * as path from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";

/**
 * The import rule (docs/architecture.md): a folder imports only the folders that stand below it.
 *
 *   cli/<command>/  may import cli/shared/ and every library below; never another cli/<command>/
 *   cli/shared/     the libraries below; never a cli/<command>/
 *   offline-plan/   components/, providers/, policy/ (and runs index.ts, which it loads by path)
 *   live-checks/    mastodon-env/, components/
 *   s3-front/       mastodon-env/, components/
 *   cdn-purge/      mastodon-env/, components/
 *   mastodon-env/   components/
 *   policy/         components/
 *   providers/      components/
 *   components/     nothing of this project outside components/
 *
 * Imports are read with TypeScript's own pre-processor (static imports, `export ... from`, `import()`,
 * `require()`), so a dynamic import cannot slip past.
 */
const ROOT = path.resolve(__dirname, "../..");
const LIBRARIES = [
  "components",
  "providers",
  "policy",
  "mastodon-env",
  "live-checks",
  "s3-front",
  "cdn-purge",
  "offline-plan",
] as const;
const BELOW: Record<string, readonly string[]> = {
  components: [],
  providers: ["components"],
  policy: ["components"],
  "mastodon-env": ["components"],
  "live-checks": ["mastodon-env", "components"],
  "s3-front": ["mastodon-env", "components"],
  "cdn-purge": ["mastodon-env", "components"],
  "offline-plan": ["policy", "providers", "components"],
  "cli/shared": LIBRARIES,
  "index.ts": ["providers", "components"],
};

/** The unit of the rule a repository path belongs to: a library folder, `cli/shared`, `cli/<command>`, or index.ts. */
function unitOf(file: string): string | undefined {
  const parts = file.split("/");
  if (file === "index.ts") return "index.ts";
  if (parts[0] === "cli") return parts.length > 2 ? `cli/${parts[1]}` : "cli";
  return (LIBRARIES as readonly string[]).includes(parts[0] as string) ? parts[0] : undefined;
}

/** Whether code in unit `from` may import unit `to` (a unit always imports itself). */
function allowed(from: string, to: string): boolean {
  if (from === to) return true;
  if (from.startsWith("cli/") && from !== "cli/shared")
    return to === "cli/shared" || (LIBRARIES as readonly string[]).includes(to);
  return (BELOW[from] ?? []).includes(to);
}

function productionFiles(): string[] {
  const files = ["index.ts"];
  for (const folder of ["cli", ...LIBRARIES]) {
    for (const entry of readdirSync(path.join(ROOT, folder), { recursive: true })) {
      const file = `${folder}/${String(entry).split(path.sep).join("/")}`;
      if (file.endsWith(".ts")) files.push(file);
    }
  }
  return files;
}

/** Every import of this project's own files from `file`, as [importing unit, imported repository path]. */
function projectImports(file: string): string[] {
  const text = readFileSync(path.join(ROOT, file), "utf8");
  return ts
    .preProcessFile(text, true, true)
    .importedFiles.map((imported) => imported.fileName)
    .filter((name) => name.startsWith("."))
    .map((name) => path.posix.normalize(path.posix.join(path.posix.dirname(file), name)));
}

describe("the import rule", () => {
  it("reads the unit of a path", () => {
    expect(unitOf("cli/verify/command.ts")).toBe("cli/verify");
    expect(unitOf("cli/shared/command.ts")).toBe("cli/shared");
    expect(unitOf("live-checks/checks/no-listing.ts")).toBe("live-checks");
    expect(unitOf("index.ts")).toBe("index.ts");
    expect(allowed("cli/doctor", "cli/verify")).toBe(false);
    expect(allowed("cli/doctor", "live-checks")).toBe(true);
    expect(allowed("live-checks", "cli/shared")).toBe(false);
    expect(allowed("components", "mastodon-env")).toBe(false);
    expect(allowed("providers", "live-checks")).toBe(false);
  });

  it("holds for every production file: no library imports cli/, no command imports another, nothing imports upwards", () => {
    const files = productionFiles();
    expect(files.length).toBeGreaterThan(100);
    const broken: string[] = [];
    for (const file of files) {
      const from = unitOf(file) as string;
      for (const target of projectImports(file)) {
        const to = unitOf(target) ?? target;
        if (!allowed(from, to)) broken.push(`${file} imports ${target}`);
      }
    }
    expect(broken).toEqual([]);
  });
});

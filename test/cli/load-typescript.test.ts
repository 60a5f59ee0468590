import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";

const ROOT = path.resolve(__dirname, "../..");
const LOADER = path.join(ROOT, "cli/load-typescript.cjs");
const CACHE = path.join(ROOT, "node_modules/.cache/mastodon-media/typescript");
const dir = mkdtempSync(path.join(tmpdir(), "load-typescript-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs `node --require cli/load-typescript.cjs FILE` and returns its standard output. */
function runTs(file: string): string {
  return execFileSync(process.execPath, ["--require", LOADER, file], { cwd: dir, encoding: "utf8" });
}

/** How many cached copies hold `marker` (other test files may fill the cache at the same time). */
const cachedCopies = (marker: string) =>
  readdirSync(CACHE, { recursive: true })
    .map(String)
    .filter((entry) => entry.endsWith(".js") && readFileSync(path.join(CACHE, entry), "utf8").includes(marker)).length;

describe("cli/load-typescript.cjs", () => {
  it("runs TypeScript as CommonJS: types erased, `export =`, and import() of an extensionless .ts path", () => {
    writeFileSync(path.join(dir, "provider.ts"), 'export const name: string = "minio";\n');
    writeFileSync(
      path.join(dir, "program.ts"),
      'interface Named { name: string }\nexport = async (): Promise<string> => ((await import("./provider")) as Named).name;\n',
    );
    writeFileSync(
      path.join(dir, "main.ts"),
      'import program = require("./program");\nprogram().then((name: string) => console.log(name, __filename));\n',
    );
    expect(runTs("main.ts")).toBe(`minio ${path.join(dir, "main.ts")}\n`);
  });

  it("never runs a stale copy: an edited file is compiled again, the old and new text each cached under its own key", () => {
    const file = path.join(dir, "edited.ts");
    const marker = `edited-${path.basename(dir)}`;
    const source = (answer: number) => `const answer: number = ${answer};\nconsole.log("${marker}", answer);\n`;
    writeFileSync(file, source(1));
    expect(runTs(file)).toBe(`${marker} 1\n`);
    expect(cachedCopies(marker)).toBe(1);
    writeFileSync(file, source(2));
    expect(runTs(file)).toBe(`${marker} 2\n`);
    expect(cachedCopies(marker)).toBe(2);
    // The first text again: served from the cache, nothing new compiled.
    writeFileSync(file, source(1));
    expect(runTs(file)).toBe(`${marker} 1\n`);
    expect(cachedCopies(marker)).toBe(2);
  });

  it("lets a TypeScript error fail loudly, naming the file", () => {
    writeFileSync(path.join(dir, "broken.ts"), "const = ;\n");
    expect(() =>
      execFileSync(process.execPath, ["--require", LOADER, "broken.ts"], { cwd: dir, stdio: "pipe" }),
    ).toThrow(/broken\.ts/);
  });

  it("loads the TypeScript compiler for @pulumi/pulumi only when a function is serialized, and then it works", () => {
    // Run from the project, where @pulumi/pulumi resolves.
    const script = [
      'const pulumi = require("@pulumi/pulumi");',
      'const loaded = () => Object.keys(require.cache).some((file) => file.includes("/node_modules/typescript/"));',
      "const before = loaded();",
      "class Base { hi() { return 1; } }",
      "class Sub extends Base { hi() { return super.hi() + 41; } }",
      'pulumi.runtime.serializeFunction(() => new Sub().hi()).then((f) => console.log(JSON.stringify({ before, after: loaded(), super: f.text.includes("super") })));',
    ].join("\n");
    const probe = path.join(ROOT, `lazy-typescript-probe-${process.pid}.js`);
    writeFileSync(probe, script);
    try {
      const out = execFileSync(process.execPath, ["--require", LOADER, probe], { cwd: ROOT, encoding: "utf8" });
      expect(JSON.parse(out)).toEqual({ before: false, after: true, super: true });
    } finally {
      rmSync(probe, { force: true });
    }
  });
});

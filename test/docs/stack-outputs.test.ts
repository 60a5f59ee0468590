import { readdirSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = path.resolve(__dirname, "../..");
const read = (file: string) => readFileSync(path.join(ROOT, file), "utf8");

/**
 * Every stack output the program can export: the common ones (components/contract.ts MediaStorageOutputs and
 * storageOutputs), each provider's `outputs.NAME = ...` (providers/<provider>/media-storage.ts) and the Mastodon
 * host's (components/mastodon-host/index.ts), read from the sources so that a new output needs a docs row.
 */
function programOutputs(): Set<string> {
  const names = new Set<string>();
  const contract = read("components/contract.ts");
  const shape = contract.slice(
    contract.indexOf("export interface MediaStorageOutputs"),
    contract.indexOf("[extra: string]"),
  );
  for (const match of shape.matchAll(/^\s+([a-zA-Z0-9]+)\??: pulumi\.Output/gm)) names.add(match[1] as string);
  for (const provider of readdirSync(path.join(ROOT, "providers"), { withFileTypes: true }).filter((entry) =>
    entry.isDirectory(),
  )) {
    const file = `providers/${provider.name}/media-storage.ts`;
    let text: string;
    try {
      text = read(file);
    } catch {
      continue;
    }
    for (const match of text.matchAll(/\boutputs\.([a-zA-Z0-9]+) = /g)) names.add(match[1] as string);
  }
  for (const match of read("components/mastodon-host/index.ts").matchAll(
    /\b(?:outputs\.)?(mastodonHost[A-Z][a-zA-Z]+)(?::| = )/g,
  ))
    names.add(match[1] as string);
  return names;
}

describe("docs/configuration.md's Stack outputs table", () => {
  it("has a row for every output the program exports, and none for an output it does not", () => {
    const doc = read("docs/configuration.md");
    const section = doc.slice(
      doc.indexOf("## Stack outputs"),
      doc.indexOf("\n## ", doc.indexOf("## Stack outputs") + 3),
    );
    const documented = new Set([...section.matchAll(/^\| `([a-zA-Z0-9]+)` \|/gm)].map((match) => match[1] as string));
    const outputs = programOutputs();
    expect(outputs.size).toBeGreaterThan(10);
    expect([...outputs].filter((name) => !documented.has(name)).sort()).toEqual([]);
    expect([...documented].filter((name) => !outputs.has(name)).sort()).toEqual([]);
  });
});

import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { purgeCommand } from "../../../cli/purge/command";
import { MOCK_PLACEHOLDER } from "../../../components/masks";

const dir = mkdtempSync(path.join(tmpdir(), "purge-outputs-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The aws stack's outputs as the offline plan prints them (npm run plan -- --stack aws --json). */
const PLANNED_OUTPUTS = {
  envProduction: "[secret]",
  bucket: "example-social-media",
  mediaBaseUrl: "https://files.example.com",
  cdnDomain: MOCK_PLACEHOLDER,
  cdnPurge: { cdn: "cloudfront", distributionId: MOCK_PLACEHOLDER, mediaBaseUrl: "https://files.example.com" },
};

async function purgeWith(json: unknown) {
  const file = path.join(dir, `${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(file, JSON.stringify(json));
  let stderr = "";
  const code = await purgeCommand({})(
    ["--outputs", file, "--url", "https://files.example.com/media_attachments/files/1/a.png"],
    {
      out: () => undefined,
      err: (text) => void (stderr += text),
    },
  );
  return { code, lines: stderr.trim().split("\n") };
}

describe("purge --outputs given what a plan prints", () => {
  it("names a (known after deploy) value as a plan placeholder, not as a pattern mismatch", async () => {
    const { code, lines } = await purgeWith(PLANNED_OUTPUTS);
    expect(code).toBe(2);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(`cdnPurge.distributionId holds a placeholder (the offline plan's ${MOCK_PLACEHOLDER})`);
    expect(lines[0]).toContain("pulumi stack output --json");
    expect(lines[0]).not.toContain("pattern");
  });

  it("says the plan's --json file has no top-level cdnPurge, in one line", async () => {
    const { code, lines } = await purgeWith({
      stack: "aws",
      provider: "aws",
      resources: [],
      outputs: PLANNED_OUTPUTS,
      violations: [],
    });
    expect(code).toBe(2);
    expect(lines).toEqual([
      expect.stringContaining(
        "has no top-level cdnPurge: it is the plan's --json file (npm run plan), not `pulumi stack output --json` output",
      ),
    ]);
  });
});

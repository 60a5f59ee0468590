import { existsSync, readdirSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = path.resolve(__dirname, "../..");
const PAGES = [
  "README.md",
  ...readdirSync(path.join(ROOT, "docs"))
    .filter((name) => name.endsWith(".md"))
    .map((name) => `docs/${name}`),
];

/** GitHub's heading anchor: lower case, punctuation other than `-` and `_` dropped, each space a hyphen. */
export function anchorOf(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, "")
    .replace(/ /g, "-");
}

function anchors(markdown: string): Set<string> {
  const found = new Set<string>();
  let fenced = false;
  for (const line of markdown.split("\n")) {
    if (line.startsWith("```")) fenced = !fenced;
    const heading = !fenced && /^#{1,6} (.*)$/.exec(line);
    if (heading) found.add(anchorOf(heading[1]));
  }
  return found;
}

/** Relative links `[text](target)` outside code fences and inline code. */
function links(markdown: string): string[] {
  const found: string[] = [];
  let fenced = false;
  for (const line of markdown.split("\n")) {
    if (line.startsWith("```")) fenced = !fenced;
    if (fenced) continue;
    for (const match of line.replace(/`[^`]*`/g, "").matchAll(/\]\(([^)\s]+)\)/g)) {
      if (!/^[a-z]+:/.test(match[1])) found.push(match[1]);
    }
  }
  return found;
}

describe("the README and docs/ pages", () => {
  it("computes GitHub's anchors for headings with punctuation", () => {
    expect(anchorOf("AWS S3 + CloudFront")).toBe("aws-s3--cloudfront");
    expect(anchorOf("Credentials for `pulumi up`")).toBe("credentials-for-pulumi-up");
    expect(anchorOf("Node.js versions")).toBe("nodejs-versions");
  });

  it("has the pages every helper and the README link to", () => {
    for (const page of [
      "aws",
      "cloudflare",
      "digitalocean",
      "minio",
      "configuration",
      "policy",
      "verify",
      "troubleshooting",
      "migrating",
      "mastodon-host",
      "pull-requests",
      "performance",
    ]) {
      expect(PAGES, page).toContain(`docs/${page}.md`);
    }
  });

  it.each(PAGES)("%s links only to files and headings that exist", (page) => {
    const text = readFileSync(path.join(ROOT, page), "utf8");
    const broken: string[] = [];
    for (const link of links(text)) {
      const [file, anchor] = link.split("#");
      const target = file === "" ? path.join(ROOT, page) : path.resolve(path.dirname(path.join(ROOT, page)), file);
      if (!existsSync(target)) broken.push(`${link}: no such file`);
      else if (anchor !== undefined && target.endsWith(".md") && !anchors(readFileSync(target, "utf8")).has(anchor)) {
        broken.push(`${link}: no such heading`);
      }
    }
    expect(broken).toEqual([]);
  });

  it("keeps the README a front door of about 150 lines", () => {
    expect(readFileSync(path.join(ROOT, "README.md"), "utf8").split("\n").length).toBeLessThanOrEqual(170);
  });
});

import { readFileSync } from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { CHECKS } from "../../live-checks/registry";

const ROOT = path.resolve(__dirname, "../..");

/** The id column of docs/verify.md's checks table, in order. */
function documentedChecks(): string[] {
  const doc = readFileSync(path.join(ROOT, "docs/verify.md"), "utf8");
  const table = doc.slice(doc.indexOf("| check | a pass proves |"));
  const rows = table.split("\n").slice(2);
  const end = rows.findIndex((row) => !row.startsWith("|"));
  return rows
    .slice(0, end)
    .map((row) => /^\| `([a-z0-9-]+)` \|/.exec(row)?.[1] ?? `unreadable row: ${row.slice(0, 40)}`);
}

describe("docs/verify.md's checks table", () => {
  it("lists every registered check, in the order they run, then the --mastodon checks", () => {
    // The --mastodon round trip's checks are defined in live-checks/mastodon/round-trip.ts, in order.
    const roundTrip = readFileSync(path.join(ROOT, "live-checks/mastodon/round-trip.ts"), "utf8");
    const mastodon = [...roundTrip.matchAll(/\bid: "(mastodon-[a-z-]+)"/g)].map((match) => match[1]);
    expect(mastodon.length).toBeGreaterThan(5);
    expect(documentedChecks()).toEqual([...CHECKS.map((check) => check.id), ...mastodon]);
  });
});

import { chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { compareListings, verdictOf } from "../../../cli/migrate/diff";
import { compareKeys, ListingFile, type Listed } from "../../../cli/migrate/listing";
import { emptyLinkReport, linkReportLines, walkLocal, type LinkReport } from "../../../cli/migrate/local-walk";

const dir = mkdtempSync(path.join(tmpdir(), "migrate-listing-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

async function* from(entries: Listed[]): AsyncGenerator<Listed> {
  yield* entries;
}

/** S3's order: UTF-8 byte order. */
const byteOrder = (a: string, b: string) => Buffer.compare(Buffer.from(a), Buffer.from(b));

describe("compareKeys", () => {
  it("orders keys as S3 lists them (UTF-8 bytes), also where UTF-16 code units disagree", () => {
    // U+FF5E (3 UTF-8 bytes, EF BD 9E) sorts before U+1F600 (F0 9F 98 80) in bytes, after it in UTF-16 units.
    const keys = ["a/😀.png", "a/～.png", "a-b", "a/b", "a/b/c", "A", "é", "e", "a b", "a+b", "a.b", "a0"];
    expect([...keys].sort(compareKeys)).toEqual([...keys].sort(byteOrder));
    expect([...keys].sort()).not.toEqual([...keys].sort(byteOrder));
  });
});

describe("walkLocal", () => {
  it("yields every file of a tree in S3's key order, with sizes", async () => {
    const root = path.join(dir, "tree");
    const files = [
      "media_attachments/files/000/000/001/original/a.jpg",
      "media_attachments/files-old/x.png",
      "media_attachments/files/000/000/001/small/a.jpg",
      "accounts/avatars/000/000/001/original/my avatar.png",
      "custom_emojis/images/000/000/002/original/café.png",
      "a-b/x",
      "a/b",
      "a.b",
      "😀/x",
      "～/y",
    ];
    files.forEach((key, index) => {
      const file = path.join(root, ...key.split("/"));
      mkdirSync(path.dirname(file), { recursive: true });
      writeFileSync(file, "x".repeat(index + 1));
    });
    const listed = await collect(walkLocal(root));
    expect(listed.map((entry) => entry.key)).toEqual([...files].sort(byteOrder));
    expect(listed.find((entry) => entry.key === "a.b")?.size).toBe(files.indexOf("a.b") + 1);
  });

  it("marks a file without the world-read bit (Mastodon chmods a suspended account's media 0600 on local storage)", async () => {
    const root = path.join(dir, "modes");
    mkdirSync(root, { recursive: true });
    writeFileSync(path.join(root, "public.jpg"), "a");
    writeFileSync(path.join(root, "suspended.jpg"), "b");
    chmodSync(path.join(root, "public.jpg"), 0o644);
    chmodSync(path.join(root, "suspended.jpg"), 0o600);
    expect(await collect(walkLocal(root))).toEqual([
      { key: "public.jpg", size: 1 },
      { key: "suspended.jpg", size: 1, unreadable: true },
    ]);
  });

  it("leaves out files and folders Mastodon removes while the walk runs, and goes on", async () => {
    const root = path.join(dir, "removed");
    for (const key of ["a/1.jpg", "a/2.jpg", "a/3.jpg", "b/000/1.jpg", "c/1.jpg"]) {
      mkdirSync(path.dirname(path.join(root, key)), { recursive: true });
      writeFileSync(path.join(root, key), "x");
    }
    const seen: string[] = [];
    for await (const entry of walkLocal(root)) {
      seen.push(entry.key);
      if (entry.key === "a/1.jpg") {
        // Removed after the walk read their folders' names: a file of the folder being walked, a whole folder.
        rmSync(path.join(root, "a", "2.jpg"));
        rmSync(path.join(root, "b"), { recursive: true });
      }
    }
    expect(seen).toEqual(["a/1.jpg", "a/3.jpg", "c/1.jpg"]);
  });

  function writeFiles(root: string, keys: string[]): void {
    for (const key of keys) {
      mkdirSync(path.dirname(path.join(root, key)), { recursive: true });
      writeFileSync(path.join(root, key), key);
    }
  }

  // Was: links were left out without a word (a `cache -> /mnt/big/cache` link: cache/ never listed nor copied).
  it("follows a link to a folder elsewhere (Mastodon's cache/ on another disk) and to a file, in S3's key order", async () => {
    const root = path.join(dir, "linked", "system");
    const outside = path.join(dir, "linked", "big");
    writeFiles(root, ["accounts/avatars/1.png", "cache-x/1.png", "cache.png", "cachf/1.png", "z.png"]);
    writeFiles(outside, ["cache/media_attachments/files/1/original/a.png", "cache/accounts/2.png", "emoji.png"]);
    symlinkSync(path.join(outside, "cache"), path.join(root, "cache"));
    symlinkSync(path.join(outside, "emoji.png"), path.join(root, "cache-link.png"));
    const links: LinkReport = emptyLinkReport();
    const listed = await collect(walkLocal(root, links));
    const expected = [
      "accounts/avatars/1.png",
      "cache-link.png",
      "cache-x/1.png",
      "cache.png",
      "cache/accounts/2.png",
      "cache/media_attachments/files/1/original/a.png",
      "cachf/1.png",
      "z.png",
    ];
    expect(listed.map((entry) => entry.key)).toEqual(expected);
    expect([...expected].sort(byteOrder)).toEqual(expected);
    // The target's size, not the link's.
    expect(listed.find((entry) => entry.key === "cache-link.png")?.size).toBe("emoji.png".length);
    expect(links).toEqual({ followed: 2, loops: { count: 0, first: [] }, broken: { count: 0, first: [] } });
  });

  it("walks a folder once when a link leads back to it (a loop), and counts and names the loop", async () => {
    const root = path.join(dir, "loops", "system");
    writeFiles(root, ["a/1.png", "b/2.png"]);
    symlinkSync("..", path.join(root, "a", "up"));
    symlinkSync(".", path.join(root, "b", "self"));
    // A link to the root's parent: the root comes back as a plain folder below it.
    symlinkSync(path.join(dir, "loops"), path.join(root, "parent"));
    writeFiles(path.join(dir, "loops"), ["other/3.png"]);
    const links: LinkReport = emptyLinkReport();
    const listed = await collect(walkLocal(root, links));
    expect(listed.map((entry) => entry.key)).toEqual(["a/1.png", "b/2.png", "parent/other/3.png"]);
    expect(links.loops).toEqual({ count: 3, first: ["a/up/", "b/self/", "parent/system/"] });
    expect(links.followed).toBe(1);
  });

  it("counts and names links that point nowhere (a disk not mounted) or to themselves, and goes on", async () => {
    const root = path.join(dir, "broken");
    writeFiles(root, ["a/1.png", "z.png"]);
    symlinkSync(path.join(dir, "not-mounted", "cache"), path.join(root, "cache"));
    symlinkSync("self", path.join(root, "a", "self"));
    const links: LinkReport = emptyLinkReport();
    expect((await collect(walkLocal(root, links))).map((entry) => entry.key)).toEqual(["a/1.png", "z.png"]);
    expect(links.broken).toEqual({ count: 2, first: ["a/self", "cache"] });
  });

  it("lists at most 10 names of each kind; the count covers the rest", async () => {
    const root = path.join(dir, "many-broken");
    mkdirSync(root, { recursive: true });
    for (let i = 0; i < 12; i++) symlinkSync(`missing-${i}`, path.join(root, `link-${String(i).padStart(2, "0")}`));
    const links: LinkReport = emptyLinkReport();
    await collect(walkLocal(root, links));
    expect(links.broken.count).toBe(12);
    expect(links.broken.first).toHaveLength(10);
    expect(linkReportLines(links, root)).toContain("  ... and 2 more");
  });

  it("throws when the root itself cannot be read", async () => {
    await expect(collect(walkLocal(path.join(dir, "no-such-folder")))).rejects.toThrow(/ENOENT/);
  });
});

describe("ListingFile", () => {
  it("writes and reads back entries with odd keys, ETags and the unreadable mark", async () => {
    const entries: Listed[] = [
      { key: 'a\tb "c".png', size: 3 },
      { key: "x/日本.jpg", size: 5, etag: "0123456789abcdef0123456789abcdef" },
      { key: "y.png", size: 1, unreadable: true },
    ];
    const file = new ListingFile(path.join(dir, "listing.jsonl"));
    for (const entry of entries) await file.add(entry);
    await file.close();
    expect(await collect(ListingFile.read(file.file))).toEqual(entries);
  });
});

describe("compareListings", () => {
  const md5 = (digit: string) => digit.repeat(32);

  it("gives each source key its verdict and counts the destination's own keys", async () => {
    const source: Listed[] = [
      { key: "a", size: 1 },
      { key: "b", size: 2 },
      { key: "c", size: 3, etag: md5("1") },
      { key: "d", size: 4, etag: md5("2") },
      { key: "e", size: 5, etag: `${md5("3")}` },
      { key: "g", size: 7 },
    ];
    const destination: Listed[] = [
      { key: "0-extra", size: 9 },
      { key: "a", size: 1, etag: md5("9") },
      { key: "b", size: 20 },
      { key: "c", size: 3, etag: md5("1") },
      { key: "d", size: 4, etag: md5("f") },
      { key: "e", size: 5, etag: `${md5("f")}-2` },
      { key: "f-extra", size: 9 },
    ];
    const counts = { extra: 0 };
    const verdicts = (await collect(compareListings(from(source), from(destination), counts))).map((compared) => [
      compared.source.key,
      compared.verdict,
    ]);
    expect(verdicts).toEqual([
      ["a", "same"],
      ["b", "size"],
      ["c", "same"],
      ["d", "etag"],
      ["e", "same"],
      ["g", "missing"],
    ]);
    expect(counts.extra).toBe(2);
  });

  it("refuses listings out of key order instead of reporting keys missing that are there", async () => {
    const sorted = [
      { key: "a", size: 1 },
      { key: "b", size: 1 },
    ];
    const unsorted = [
      { key: "b", size: 1 },
      { key: "a", size: 1 },
    ];
    await expect(collect(compareListings(from(unsorted), from(sorted)))).rejects.toThrow(
      /source's listing is not in key order/,
    );
    await expect(collect(compareListings(from(sorted), from(unsorted)))).rejects.toThrow(
      /destination's listing is not in key order/,
    );
  });

  it("compares ETags only where both are single-part MD5s (a multipart ETag is not the MD5 of the bytes)", () => {
    expect(verdictOf({ key: "k", size: 1, etag: md5("a") }, { key: "k", size: 1, etag: md5("A") })).toBe("same");
    expect(verdictOf({ key: "k", size: 1, etag: md5("a") }, { key: "k", size: 1, etag: `${md5("b")}-3` })).toBe("same");
    expect(verdictOf({ key: "k", size: 1 }, { key: "k", size: 1, etag: md5("b") })).toBe("same");
    expect(verdictOf({ key: "k", size: 1 }, undefined)).toBe("missing");
  });
});

import { describe, expect, it } from "vitest";
import { defaultSampleSize, isRemoteCopy, WeightedSample } from "../../../cli/migrate/sample";

/** A tree in S3's key order: local uploads sort after cache/ and accounts/, as in a real bucket. */
function tree(count: number): { key: string; size: number }[] {
  const keys: string[] = [];
  for (let i = 0; i < count; i++) {
    const kind = i % 10;
    const id = String(i).padStart(9, "0").match(/.{3}/g)!.join("/");
    if (kind < 6) keys.push(`cache/media_attachments/files/${id}/small/${i}.jpg`);
    else if (kind < 8) keys.push(`accounts/avatars/${id}/original/${i}.png`);
    else keys.push(`media_attachments/files/${id}/original/${i}.jpg`);
  }
  return keys.sort().map((key) => ({ key, size: 1000 }));
}

describe("WeightedSample", () => {
  it("spreads over the whole tree: the last key in order is as likely as the first (no budget running out in key order)", () => {
    const entries = tree(20_000);
    const sample = new WeightedSample(400, "seed");
    for (const entry of entries) sample.offer(entry);
    const picked = sample.entries();
    expect(picked).toHaveLength(400);
    const position = new Map(entries.map((entry, index) => [entry.key, index]));
    const lastQuarter = picked.filter((entry) => position.get(entry.key)! >= 15_000).length;
    // media_attachments/ sorts last; it must be sampled, and weighted above cache/.
    expect(picked.some((entry) => entry.key.startsWith("media_attachments/"))).toBe(true);
    expect(lastQuarter).toBeGreaterThan(60);
  });

  it("weights local uploads eight to one over remote copies", () => {
    const entries = tree(20_000);
    const sample = new WeightedSample(400, "seed");
    for (const entry of entries) sample.offer(entry);
    const picked = sample.entries();
    const remote = picked.filter((entry) => isRemoteCopy(entry.key)).length;
    // 60% of the keys are remote copies; weighted 1 against 8, they are about 16% of a small sample.
    expect(remote / picked.length).toBeGreaterThan(0.08);
    expect(remote / picked.length).toBeLessThan(0.3);
  });

  it("is the same for the same seed and differs for another, whatever the order keys come in", () => {
    const entries = tree(5_000);
    const take = (seed: string, list: typeof entries) => {
      const sample = new WeightedSample(100, seed);
      for (const entry of list) sample.offer(entry);
      return sample.entries().map((entry) => entry.key);
    };
    expect(take("a", entries)).toEqual(take("a", [...entries].reverse()));
    expect(take("a", entries)).not.toEqual(take("b", entries));
  });

  it("takes 1% of a tree, at least 50 and at most 1,000 keys", () => {
    expect([1, 5_000, 20_000, 100_000, 10_000_000].map(defaultSampleSize)).toEqual([50, 50, 200, 1_000, 1_000]);
  });
});

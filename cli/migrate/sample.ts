import { createHash, randomBytes } from "node:crypto";
import type { Listed } from "./listing";

/**
 * The sample the check fetches through the media host: spread over the whole tree (each key's chance comes
 * from a hash of the key and a per-run seed, not from its place in the listing), and weighted toward what
 * cannot be fetched again. Local uploads, avatars, emoji and site uploads exist only here; `cache/` (and the
 * top-level `preview_cards/` of instances older than Mastodon's storage schema 1) holds copies of remote media
 * that Mastodon refetches when missing (app/models/concerns/remotable.rb, `tootctl media refresh`).
 *
 * Weighted sampling without replacement (Efraimidis and Spirakis, "Weighted random sampling with a reservoir",
 * 2006): each key gets the priority -ln(u)/w for a uniform u, the `size` smallest priorities form the sample.
 * Memory: `size` entries, whatever the tree's size.
 */

/** Relative weight of a key: local originals 8, remote copies 1. */
export function sampleWeight(key: string): number {
  return key.startsWith("cache/") || key.startsWith("preview_cards/") ? 1 : 8;
}

/** Whether a key is a copy of remote media (refetchable) rather than something only this instance holds. */
export function isRemoteCopy(key: string): boolean {
  return sampleWeight(key) === 1;
}

/**
 * How many keys a pass fetches through the media host when none is given: 1% of the tree, at least 50 and at
 * most 1,000. A thousand keys out of millions give each kind of key (a prefix holding 1% of the local uploads,
 * say) several chances; the request count stays a few thousandths of a per-key check.
 */
export function defaultSampleSize(objects: number): number {
  return Math.min(1_000, Math.max(50, Math.ceil(objects / 100)));
}

interface Ranked {
  entry: Listed;
  priority: number;
}

export class WeightedSample {
  /** A max-heap on priority: the root is the first to leave when a better key comes. */
  private readonly heap: Ranked[] = [];
  private readonly seed: string;

  constructor(
    readonly size: number,
    seed: string = randomBytes(8).toString("hex"),
  ) {
    this.seed = seed;
  }

  offer(entry: Listed): void {
    if (this.size <= 0) return;
    const hash = createHash("sha256").update(this.seed).update("\0").update(entry.key).digest();
    // 48 bits of the hash as u in (0, 1).
    const u = (hash.readUIntBE(0, 6) + 1) / (2 ** 48 + 1);
    const priority = -Math.log(u) / sampleWeight(entry.key);
    if (this.heap.length < this.size) {
      this.heap.push({ entry, priority });
      this.up(this.heap.length - 1);
    } else if (priority < this.heap[0]!.priority) {
      this.heap[0] = { entry, priority };
      this.down(0);
    }
  }

  /** The sample, best priority first (the order in which the byte budget is spent). */
  entries(): Listed[] {
    return [...this.heap].sort((a, b) => a.priority - b.priority).map((ranked) => ranked.entry);
  }

  private up(index: number): void {
    const heap = this.heap;
    while (index > 0) {
      const parent = (index - 1) >> 1;
      if (heap[parent]!.priority >= heap[index]!.priority) return;
      [heap[parent], heap[index]] = [heap[index]!, heap[parent]!];
      index = parent;
    }
  }

  private down(index: number): void {
    const heap = this.heap;
    for (;;) {
      const left = 2 * index + 1;
      const right = left + 1;
      let largest = index;
      if (left < heap.length && heap[left]!.priority > heap[largest]!.priority) largest = left;
      if (right < heap.length && heap[right]!.priority > heap[largest]!.priority) largest = right;
      if (largest === index) return;
      [heap[largest], heap[index]] = [heap[index]!, heap[largest]!];
      index = largest;
    }
  }
}

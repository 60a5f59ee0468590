import { describe, expect, it } from "vitest";
import { duration, Progress } from "../../../cli/migrate/progress";

function clocked(tty: boolean) {
  let now = 0;
  const written: string[] = [];
  const progress = new Progress(
    { tty, write: (text) => written.push(text) },
    "media",
    { objects: 1_000, bytes: 100e6 },
    () => now,
  );
  return { progress, written, at: (ms: number) => (now = ms) };
}

describe("Progress", () => {
  it("on a terminal rewrites one line at most once a second, with rate and time left", () => {
    const { progress, written, at } = clocked(true);
    at(1_000);
    progress.update({ objects: 100, bytes: 10e6 });
    at(1_500);
    progress.update({ objects: 150, bytes: 15e6 });
    at(2_000);
    progress.update({ objects: 200, bytes: 20e6 });
    expect(written).toHaveLength(2);
    expect(written[0]).toMatch(
      /^\r\x1b\[2Kmedia: 100 of 1,000 objects, 10\.0 MB of 100\.0 MB, 100 objects\/s, 10\.0 MB\/s, about 9 s left$/,
    );
    progress.end();
    expect(written.at(-1)).toBe("\r\x1b[2K");
  });

  it("to a log writes a line a minute, not a line a second", () => {
    const { progress, written, at } = clocked(false);
    for (let second = 1; second <= 180; second++) {
      at(second * 1_000);
      progress.update({ objects: second, bytes: second * 1e5 });
    }
    expect(written).toHaveLength(3);
    expect(written[0]).toMatch(/^media: 60 of 1,000 objects, .*, about 15 min 40 s left\n$/);
  });

  it("says hours and minutes for long work", () => {
    expect([5, 125, 36_000 + 120].map(duration)).toEqual(["5 s", "2 min 5 s", "10 h 2 min"]);
  });
});

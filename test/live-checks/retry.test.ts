import { describe, expect, it } from "vitest";
import { backoffMs, retryUntil, type Clock, type RetryProgress } from "../../live-checks/retry";

/** A clock whose sleeps only move time forward, and which records them. */
function fakeClock(start = 0): Clock & { slept: number[] } {
  let now = start;
  const slept: number[] = [];
  return {
    slept,
    now: () => now,
    sleep: async (ms) => {
      slept.push(ms);
      now += ms;
    },
  };
}

describe("backoffMs", () => {
  it("doubles from one second and stays at fifteen seconds", () => {
    expect([0, 1, 2, 3, 4, 5, 10].map(backoffMs)).toEqual([1000, 2000, 4000, 8000, 15000, 15000, 15000]);
  });
});

describe("retryUntil", () => {
  it("returns the first result not worth retrying, with the number of attempts and one progress report per wait", async () => {
    const clock = fakeClock();
    const answers = ["403", "403", "200"];
    const progress: RetryProgress<string>[] = [];
    const { result, attempts } = await retryUntil(async () => answers.shift() as string, {
      deadline: 60_000,
      shouldRetry: (answer) => answer !== "200",
      onRetry: (p) => progress.push(p),
      clock,
    });
    expect(result).toBe("200");
    expect(attempts).toBe(3);
    expect(clock.slept).toEqual([1000, 2000]);
    expect(progress).toEqual([
      { retry: 1, waitMs: 1000, leftMs: 59_000, last: "403" },
      { retry: 2, waitMs: 2000, leftMs: 57_000, last: "403" },
    ]);
  });

  it("gives up with the last result when the next wait would pass the deadline", async () => {
    const clock = fakeClock();
    const { result, attempts } = await retryUntil(async () => "403", {
      deadline: 10_000,
      shouldRetry: () => true,
      clock,
    });
    expect(result).toBe("403");
    // Waits of 1, 2 and 4 s fit in 10 s; the next one (8 s) would not.
    expect(clock.slept).toEqual([1000, 2000, 4000]);
    expect(attempts).toBe(4);
  });

  it("tries exactly once when the deadline is now (--retry-for 0)", async () => {
    const clock = fakeClock(5_000);
    const { attempts } = await retryUntil(async () => "403", { deadline: 5_000, shouldRetry: () => true, clock });
    expect(attempts).toBe(1);
    expect(clock.slept).toEqual([]);
  });

  it("stops waiting when aborted", async () => {
    const controller = new AbortController();
    const run = retryUntil(async () => "403", {
      deadline: Date.now() + 60_000,
      shouldRetry: () => true,
      signal: controller.signal,
    });
    controller.abort(new Error("SIGINT received"));
    await expect(run).rejects.toThrowError("SIGINT received");
  });
});

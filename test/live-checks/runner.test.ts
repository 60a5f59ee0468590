import type { S3Client } from "@aws-sdk/client-s3";
import { describe, expect, it } from "vitest";
import { fail, pass, type Check, type CheckContext, type CheckOutcome } from "../../live-checks/check";
import { ProbeRegistry } from "../../live-checks/probes";
import type { Clock } from "../../live-checks/retry";
import { Interrupted, runChecks } from "../../live-checks/runner";
import { AWS_ENV, targetOf } from "../helpers/target";

function clock(): Clock {
  let now = 0;
  return { now: () => now, sleep: async (ms) => void (now += ms) };
}

function context(signal = new AbortController().signal): CheckContext {
  const target = targetOf({ ...AWS_ENV, S3_HOSTNAME: undefined });
  return {
    target,
    origin: "https://social.example.com",
    io: {
      s3: {} as S3Client,
      http: async () => ({ status: 0, headers: {}, body: Buffer.alloc(0) }),
      tls: async () => Promise.reject(new Error("unused")),
    },
    probes: new ProbeRegistry("example-social-media", undefined),
    state: {},
    signal,
    redact: (text) => text.split("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY").join("[secret]"),
  };
}

/** A check that answers the given outcomes in turn. */
function scripted(id: string, outcomes: CheckOutcome[], extra: Partial<Check> = {}): Check & { runs: number } {
  const check: Check & { runs: number } = {
    id,
    title: `${id} works`,
    runs: 0,
    async run(): Promise<CheckOutcome> {
      check.runs++;
      return outcomes[Math.min(check.runs - 1, outcomes.length - 1)] as CheckOutcome;
    },
    ...extra,
  };
  return check;
}

describe("runChecks", () => {
  it("skips a check whose requirement an earlier check did not establish, naming that check", async () => {
    const upload = scripted("writer-upload", [fail(["PUT: 403"], "denied", "fix it")]);
    const read = scripted("writer-read", [pass("GET: 200")], { needs: ["probe"] });
    const results = await runChecks([upload, read], context(), { deadline: 0, clock: clock() });
    expect(results.map((r) => [r.id, r.status, r.observed])).toEqual([
      ["writer-upload", "fail", ["PUT: 403"]],
      ["writer-read", "skip", ["skipped: needs writer-upload to pass first"]],
    ]);
    expect(read.runs).toBe(0);
  });

  it("retries a transient failure until the deadline, reporting each wait", async () => {
    const flaky = scripted(
      "public-read",
      [
        fail(["GET: 403"], "no policy yet", "wait", true),
        fail(["GET: 403"], "no policy yet", "wait", true),
        pass("GET: 200"),
      ],
      {
        retry: "deadline",
      },
    );
    const progress: string[] = [];
    const [result] = await runChecks([flaky], context(), {
      deadline: 60_000,
      clock: clock(),
      onProgress: (line) => progress.push(line),
    });
    expect(result).toMatchObject({ status: "pass", attempts: 3, ms: 3000 });
    expect(progress).toEqual([
      "  public-read: GET: 403; retry 1 in 1 s (59 s left)",
      "  public-read: GET: 403; retry 2 in 2 s (57 s left)",
    ]);
  });

  it("caps the retries of a check with a limit in seconds, and never retries a lasting failure", async () => {
    const capped = scripted("writer-upload", [fail(["PUT: 403"], "denied", "fix", true)], { retry: 5 });
    const lasting = scripted("no-listing", [fail(["GET: 200 listing"], "public", "fix", false)], { retry: "deadline" });
    const results = await runChecks([capped, lasting], context(), { deadline: 900_000, clock: clock() });
    // 1 + 2 s of waits fit in 5 s; 4 more would not.
    expect(results.map((r) => r.attempts)).toEqual([3, 1]);
  });

  it("turns an exception in a check into a failure, without the credential, so that the run goes on", async () => {
    const broken: Check = {
      id: "writer-read",
      title: "reads",
      async run() {
        throw new Error("unexpected body for wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY");
      },
    };
    const [result] = await runChecks([broken], context(), { deadline: 0, clock: clock() });
    expect(result).toMatchObject({
      status: "fail",
      observed: ["verify failed unexpectedly: unexpected body for [secret]"],
      cause: "a bug in verify itself",
    });
  });

  it("stops with Interrupted once the run is aborted", async () => {
    const controller = new AbortController();
    const first = scripted("region-endpoint", [pass("ok")]);
    const second = scripted("tls", [pass("ok")]);
    const done: string[] = [];
    const run = runChecks([first, second], context(controller.signal), {
      deadline: 0,
      clock: clock(),
      onResult: (r) => (done.push(r.id), controller.abort()),
    });
    await expect(run).rejects.toBeInstanceOf(Interrupted);
    expect(done).toEqual(["region-endpoint"]);
    expect(second.runs).toBe(0);
  });
});

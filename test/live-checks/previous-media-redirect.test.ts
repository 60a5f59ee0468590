import { describe, expect, it } from "vitest";
import { parseVerifyArgs } from "../../cli/verify/args";
import { previousMediaRedirect, previousMediaUrl } from "../../live-checks/checks/previous-media-redirect";
import { selfCheckCommand } from "../../components/self-check";
import { context, response } from "../helpers/verify-fakes";

const KEY = "social/media_attachments/mastodon-media-verify/run/probe.png";
const PROBE = { key: KEY, body: Buffer.from("png"), contentType: "image/png" };
const CURRENT = `https://files.example.com/${KEY}`;
const OLD = "https://old.example.com/media_attachments/mastodon-media-verify/run/probe.png";

function run(
  answer: (url: string) => ReturnType<typeof response> | Error,
  previousMediaBase: string | null = "old.example.com",
) {
  const { ctx } = context({ env: { S3_KEY_PREFIX: "social" } });
  ctx.state.probe = PROBE;
  ctx.state.mediaServed = true;
  if (previousMediaBase) ctx.previousMediaBase = previousMediaBase;
  const asked: string[] = [];
  ctx.io.http = async (url) => {
    asked.push(url);
    const result = answer(url);
    if (result instanceof Error) throw result;
    return result;
  };
  return previousMediaRedirect.run(ctx).then((outcome) => ({ outcome, asked }));
}

describe("previous-media-redirect", () => {
  it("builds the old URL from the previous base and the key without the current prefix", () => {
    expect(previousMediaUrl("old.example.com", KEY, "social")).toBe(OLD);
    expect(previousMediaUrl("files.example.com", KEY, "social")).toBe(
      "https://files.example.com/media_attachments/mastodon-media-verify/run/probe.png",
    );
    expect(previousMediaUrl("old.example.com/x", "media_attachments/a.png", undefined)).toBe(
      "https://old.example.com/x/media_attachments/a.png",
    );
  });

  it("passes a 301 to the same key on the media host", async () => {
    const { outcome, asked } = await run(() => response(301, "", { location: CURRENT }));
    expect(asked).toEqual([OLD]);
    expect(outcome).toEqual({ status: "pass", observed: [`GET ${OLD}: 301 to ${CURRENT}`] });
  });

  it("fails, naming the cause, when the old host no longer resolves (the R2 custom domain took its record)", async () => {
    const { outcome } = await run(() =>
      Object.assign(new Error("getaddrinfo ENOTFOUND old.example.com"), { code: "ENOTFOUND" }),
    );
    expect(outcome.status).toBe("fail");
    expect(outcome.cause).toBe(
      "the previous media host old.example.com does not resolve: every URL other servers hold for it is broken",
    );
    expect(outcome.transient).toBe(true);
  });

  it("fails a redirect elsewhere, a temporary one, and an answer that is no redirect", async () => {
    expect((await run(() => response(301, "", { location: "https://files.example.com/" }))).outcome.status).toBe(
      "fail",
    );
    expect((await run(() => response(302, "", { location: CURRENT }))).outcome.status).toBe("fail");
    expect((await run(() => response(200, "old bytes"))).outcome.cause).toBe(
      `the old URL answers 200 instead of a permanent redirect to ${CURRENT}`,
    );
  });

  it("skips when no previous base is given", async () => {
    expect((await run(() => response(500), null)).outcome.status).toBe("skip");
  });

  it("is given by --previous-media-base, which the self-check passes", () => {
    const argv =
      selfCheckCommand("https://social.example.com", undefined, "old.example.com/x")
        .split("; ")[0]
        ?.split(" -- ")[1]
        ?.split(" ") ?? [];
    const parsed = parseVerifyArgs(argv);
    expect(parsed).toMatchObject({ help: false, options: { previousMediaBase: "old.example.com/x" } });
    expect(parseVerifyArgs(["--env", "-", "--previous-media-base", "https://old.example.com"])).toMatchObject({
      problems: [expect.stringMatching(/^--previous-media-base must be a media base/)],
    });
  });
});

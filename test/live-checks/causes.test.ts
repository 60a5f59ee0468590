import type { S3Client } from "@aws-sdk/client-s3";
import { describe, expect, it } from "vitest";
import { noAnonymousWrite } from "../../live-checks/checks/no-anonymous-write";
import { noListing } from "../../live-checks/checks/no-listing";
import { publicRead } from "../../live-checks/checks/public-read";
import { writerList } from "../../live-checks/checks/writer-list";
import { writerRead } from "../../live-checks/checks/writer-read";
import { writerUpload } from "../../live-checks/checks/writer-upload";
import { writerDelete } from "../../live-checks/checks/writer-delete";
import { writerCannotChangePolicy } from "../../live-checks/checks/writer-cannot-change-policy";
import { writerCannotCreateBucket } from "../../live-checks/checks/writer-cannot-create-bucket";
import { context, response, s3Error, type Call } from "../helpers/verify-fakes";

const PROBE = {
  key: "media_attachments/mastodon-media-verify/run/probe.txt",
  body: Buffer.from("probe\n"),
  contentType: "text/plain",
};

/** A second fake client (checksums only when required) answering with `answer`, logging into the same calls. */
function whenRequired(answer: (command: string, input: Record<string, unknown>) => unknown) {
  return (_s3: S3Client, calls: Call[]) =>
    ({
      send: async (command: { constructor: { name: string }; input: Record<string, unknown> }) => {
        const name = command.constructor.name.replace(/Command$/, "");
        calls.push({ command: `${name} (WHEN_REQUIRED)`, input: command.input });
        const result = answer(name, command.input) ?? {};
        if (result instanceof Error) throw result;
        return result;
      },
    }) as unknown as S3Client;
}

describe("a header the server refuses is named, with its fix", () => {
  it("names the checksum headers when only the upload without them succeeds (Backblaze B2: 400 InvalidArgument)", async () => {
    const { ctx, probes } = context({
      env: { AWS_REQUEST_CHECKSUM_CALCULATION: undefined },
      s3: () => s3Error("InvalidArgument", 400),
      whenRequired: whenRequired(() => ({})),
    });
    const outcome = await writerUpload.run(ctx);
    expect(outcome.status).toBe("fail");
    expect(outcome.cause).toMatch(/^the server refuses the checksum headers \(x-amz-checksum-crc32/);
    expect(outcome.fix).toMatch(
      /^add AWS_REQUEST_CHECKSUM_CALCULATION=WHEN_REQUIRED and AWS_RESPONSE_CHECKSUM_VALIDATION=WHEN_REQUIRED/,
    );
    expect(ctx.state).toMatchObject({ checksumRejected: true, probe: { key: expect.stringContaining("probe.txt") } });
    expect(probes.created).toBe(1);
  });

  it("names the ACL header on R2's 501 NotImplemented, never 'retry later'", async () => {
    const { ctx } = context({
      env: { S3_PERMISSION: "private" },
      s3: (_c, input) => (input.ACL ? s3Error("NotImplemented", 501) : {}),
    });
    const outcome = await writerUpload.run(ctx);
    expect(outcome.cause).toMatch(
      /^the server rejects the x-amz-acl header Mastodon sends because S3_PERMISSION is "private"/,
    );
    expect(outcome.fix).toMatch(/^set S3_PERMISSION= \(empty\)/);
  });

  it("on Spaces, does not read a policy-parsing 400 as authorization: a bucket with a per-bucket key refuses every policy", async () => {
    const spaces = {
      S3_ENDPOINT: "https://fra1.digitaloceanspaces.com",
      S3_HOSTNAME: "fra1.digitaloceanspaces.com",
      S3_REGION: "fra1",
      S3_ALIAS_HOST: "files.example.com",
      S3_PERMISSION: "public-read",
    };
    const parsed = context({ env: spaces, s3: () => s3Error("MalformedPolicy", 400) });
    parsed.ctx.state.probe = PROBE;
    const outcome = await writerCannotChangePolicy.run(parsed.ctx);
    expect(outcome.status).toBe("inconclusive");
    expect(outcome.cause).toMatch(/^on Spaces a bucket with a per-bucket key refuses every bucket policy/);
    const denied = context({ env: spaces, s3: () => s3Error("AccessDenied", 403) });
    denied.ctx.state.probe = PROBE;
    expect((await writerCannotChangePolicy.run(denied.ctx)).status).toBe("pass");
    // Elsewhere the same 400 still raises the alarm.
    const aws = context({ s3: () => s3Error("MalformedPolicy", 400) });
    aws.ctx.state.probe = PROBE;
    expect((await writerCannotChangePolicy.run(aws.ctx)).status).toBe("fail");
  });

  it("reads a 400 on PutBucketPolicy as authorization only for a policy-parsing error", async () => {
    const { ctx } = context({ s3: () => s3Error("BadRequest", 400) });
    ctx.state.probe = PROBE;
    const outcome = await writerCannotChangePolicy.run(ctx);
    expect(outcome.status).toBe("inconclusive");
    expect(outcome.cause).not.toMatch(/passed the authorization/);
  });
});

describe("security alarms are confirmed before they are raised", () => {
  it("does not send bucket calls at all when S3_ENDPOINT names the bucket: nothing is left behind, nothing is claimed", async () => {
    const env = {
      S3_ENDPOINT: "https://example-social-media.s3.nl-ams.scw.cloud",
      S3_REGION: "nl-ams",
      S3_HOSTNAME: "s3.nl-ams.scw.cloud",
    };
    for (const check of [writerCannotCreateBucket, writerCannotChangePolicy]) {
      const { ctx, calls, probes } = context({ env });
      ctx.state.probe = PROBE;
      const outcome = await check.run(ctx);
      expect(outcome.status).toBe("inconclusive");
      expect(calls).toEqual([]);
      expect(probes.pending()).toEqual({ keys: [], buckets: [] });
    }
  });

  it("calls CreateBucket's 200 inconclusive when no such bucket can be listed (an object PUT answered)", async () => {
    const { ctx } = context({ s3: () => ({}) });
    ctx.state.probe = PROBE;
    const outcome = await writerCannotCreateBucket.run(ctx);
    expect(outcome.status).toBe("inconclusive");
  });

  it("calls an accepted invalid policy inconclusive unless the server really stored it", async () => {
    const { ctx } = context({ s3: (command) => (command === "GetBucketPolicy" ? s3Error("AccessDenied", 403) : {}) });
    ctx.state.probe = PROBE;
    expect((await writerCannotChangePolicy.run(ctx)).status).toBe("inconclusive");
  });
});

describe("a check that could not run is inconclusive, and probe bookkeeping is true", () => {
  it("is inconclusive, not PASS, when every anonymous answer is 404 NoSuchBucket; the refused PUT is no leftover", async () => {
    const noSuchBucket = response(404, "<Error><Code>NoSuchBucket</Code></Error>");
    const api = "https://example-social-media.s3.eu-central-1.amazonaws.com/";
    const { ctx, probes } = context({
      http: new Proxy({}, { get: () => noSuchBucket }) as Record<string, ReturnType<typeof response>>,
    });
    expect((await noListing.run(ctx)).status).toBe("inconclusive");
    expect((await noAnonymousWrite.run(ctx)).status).toBe("inconclusive");
    expect(probes.pending().keys).toEqual([]);
    expect(probes.created).toBe(0);
    expect(api).toContain("example-social-media");
  });

  it("counts a refused upload as nothing created and nothing to remove", async () => {
    const { ctx, probes } = context({ s3: () => s3Error("AccessDenied", 403) });
    await writerUpload.run(ctx);
    expect(probes.created).toBe(0);
    expect(probes.pending().keys).toEqual([]);
  });
});

describe("a writer without s3:ListBucket fails only the list check", () => {
  const noList = (command: string) =>
    command === "ListObjectsV2"
      ? s3Error("AccessDenied", 403)
      : command === "HeadObject"
        ? s3Error("AccessDenied", 403)
        : {};

  it("fails writer-list naming s3:ListBucket and remove-orphans", async () => {
    const { ctx } = context({ s3: noList });
    ctx.state.probe = PROBE;
    const outcome = await writerList.run(ctx);
    expect(outcome.status).toBe("fail");
    expect(outcome.cause).toMatch(/may not list the bucket \(no s3:ListBucket/);
  });

  it("passes the delete that worked, although HEAD afterwards answers 403, and reports no leftover", async () => {
    const { ctx, probes, calls } = context({ s3: noList });
    probes.trackKey(PROBE.key);
    probes.confirmKey(PROBE.key);
    ctx.state.probe = PROBE;
    ctx.state.readOk = true;
    const outcome = await writerDelete.run(ctx);
    expect(outcome.status).toBe("pass");
    expect(calls[0]).toEqual({
      command: "DeleteObjects",
      input: { Bucket: "example-social-media", Delete: { Objects: [{ Key: PROBE.key }], Quiet: true } },
    });
    expect(await probes.removeAll(ctx.io.s3, (t) => t)).toEqual([]);
  });
});

describe("deletes go through DeleteObjects, as Mastodon's batch deletes do", () => {
  it("names the bucket ARN when batch deletes are refused but single deletes work (Ceph RGW, Spaces)", async () => {
    const { ctx } = context({
      s3: (command) =>
        command === "DeleteObjects"
          ? s3Error("AccessDenied", 403)
          : command === "ListObjectsV2"
            ? { Contents: [] }
            : {},
    });
    ctx.state.probe = PROBE;
    const outcome = await writerDelete.run(ctx);
    expect(outcome.status).toBe("fail");
    expect(outcome.cause).toMatch(/^batch deletes are refused while single deletes work/);
    expect(outcome.fix).toContain("arn:aws:s3:::example-social-media to the Resource of its s3:DeleteObject statement");
  });

  it("names the checksum header when DeleteObjects is refused with 400 InvalidArgument", async () => {
    const { ctx } = context({
      s3: (command) =>
        command === "DeleteObjects"
          ? s3Error("InvalidArgument", 400)
          : command === "ListObjectsV2"
            ? { Contents: [] }
            : {},
    });
    ctx.state.probe = PROBE;
    expect((await writerDelete.run(ctx)).cause).toMatch(
      /x-amz-checksum-crc32 \/ x-amz-sdk-checksum-algorithm header, which current AWS SDKs always send on DeleteObjects/,
    );
  });
});

describe("uploads above S3_MULTIPART_THRESHOLD go multipart, read in bytes", () => {
  it("uploads the probe multipart with a 50-byte threshold and names the bytes when the server refuses multipart", async () => {
    const { ctx, calls, probes } = context({
      env: { S3_MULTIPART_THRESHOLD: "50" },
      s3: (command) => (command === "CreateMultipartUpload" ? s3Error("NotImplemented", 501) : {}),
    });
    const outcome = await writerUpload.run(ctx);
    expect(calls.map((c) => c.command)).toEqual(["CreateMultipartUpload"]);
    expect(outcome.cause).toMatch(
      /^the server refuses multipart uploads \(CreateMultipartUpload: 501 NotImplemented\)/,
    );
    expect(outcome.cause).toContain("S3_MULTIPART_THRESHOLD is read in BYTES, so 50 means 50 bytes");
    expect(outcome.fix).toMatch(/^write S3_MULTIPART_THRESHOLD=52428800 \(50 MB in bytes\)/);
    expect(probes.created).toBe(0);
  });
});

describe("downloads as Mastodon downloads, S3_FORCE_SINGLE_REQUEST honoured", () => {
  const answers = (command: string) =>
    command === "HeadObject"
      ? s3Error("BadRequest", 400)
      : command === "GetObject"
        ? {
            Body: { transformToByteArray: async () => PROBE.body },
            CacheControl: "public, max-age=315576000, immutable",
          }
        : {};

  it("fails naming S3_FORCE_SINGLE_REQUEST when HEAD ?partNumber=1 is refused", async () => {
    const { ctx } = context({ s3: answers });
    ctx.state.probe = PROBE;
    expect((await writerRead.run(ctx)).fix).toBe("add S3_FORCE_SINGLE_REQUEST=true (downloads then use one plain GET)");
  });

  it("sends one GET only with S3_FORCE_SINGLE_REQUEST=true", async () => {
    const { ctx, calls } = context({ env: { S3_FORCE_SINGLE_REQUEST: "true" }, s3: answers });
    ctx.state.probe = PROBE;
    expect((await writerRead.run(ctx)).status).toBe("pass");
    expect(calls.map((c) => c.command)).toEqual(["GetObject"]);
  });
});

describe("orphan cleanup and S3_KEY_PREFIX", () => {
  it("warns that remove-orphans cannot work with a key prefix", async () => {
    const { ctx } = context({
      env: { S3_KEY_PREFIX: "social" },
      s3: (_command, input) =>
        input.Prefix
          ? { Contents: [{ Key: "social/media_attachments/mastodon-media-verify/run/probe.txt" }] }
          : s3Error("AccessDenied", 403),
    });
    ctx.state.probe = { ...PROBE, key: "social/media_attachments/mastodon-media-verify/run/probe.txt" };
    (ctx.probes as unknown as { runId: string }).runId = "run";
    const outcome = await writerList.run(ctx);
    expect(outcome.status).toBe("warn");
    expect(outcome.cause).toMatch(/`tootctl media remove-orphans` cannot work/);
  });
});

describe("a 403/404 on the media host considers the alias's path", () => {
  it("names S3_ALIAS_HOST's path when the host serves the bucket at its root", async () => {
    const alias = "files.example.com/media";
    const { ctx } = context({
      env: { S3_ALIAS_HOST: alias },
      http: {
        [`GET https://${alias}/${PROBE.key}`]: response(404),
        [`GET https://files.example.com/${PROBE.key}`]: response(200, "probe\n"),
      },
    });
    ctx.state.probe = PROBE;
    const outcome = await publicRead.run(ctx);
    expect(outcome.fix).toBe("write S3_ALIAS_HOST=files.example.com");
  });

  it("names the missing bucket path when the host serves buckets by path (a bare S3 endpoint)", async () => {
    const { ctx } = context({
      http: {
        [`GET https://files.example.com/${PROBE.key}`]: response(404, "<Error><Code>NoSuchBucket</Code></Error>"),
        [`GET https://files.example.com/example-social-media/${PROBE.key}`]: response(200, "probe\n"),
      },
    });
    ctx.state.probe = PROBE;
    expect((await publicRead.run(ctx)).fix).toMatch(/^write S3_ALIAS_HOST=files\.example\.com\/example-social-media/);
  });

  it("passes a redirect to a host EXTRA_MEDIA_HOSTS allows, when it serves the same bytes", async () => {
    const { ctx } = context({
      env: { EXTRA_MEDIA_HOSTS: "https://new-files.example.com" },
      http: {
        [`GET https://files.example.com/${PROBE.key}`]: response(301, "", {
          location: `https://new-files.example.com/${PROBE.key}`,
        }),
        [`GET https://new-files.example.com/${PROBE.key}`]: response(200, "probe\n"),
      },
    });
    ctx.state.probe = PROBE;
    expect((await publicRead.run(ctx)).status).toBe("pass");
    expect(ctx.state.servedUrl).toBe(`https://new-files.example.com/${PROBE.key}`);
  });
});

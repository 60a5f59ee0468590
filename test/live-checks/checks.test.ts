import { describe, expect, it } from "vitest";
import { cors } from "../../live-checks/checks/cors";
import { noListing } from "../../live-checks/checks/no-listing";
import { publicRead } from "../../live-checks/checks/public-read";
import { tls } from "../../live-checks/checks/tls";
import { INVALID_POLICY, writerCannotChangePolicy } from "../../live-checks/checks/writer-cannot-change-policy";
import { writerCannotCreateBucket } from "../../live-checks/checks/writer-cannot-create-bucket";
import { writerUpload } from "../../live-checks/checks/writer-upload";
import { MASTODON_CACHE_CONTROL } from "../../live-checks/upload";
import type { HttpResponse } from "../../live-checks/io/http";
import type { TlsFacts } from "../../live-checks/io/tls";
import { context, response, s3Error } from "../helpers/verify-fakes";

const PROBE = {
  key: "media_attachments/mastodon-media-verify/run/probe.txt",
  body: Buffer.from("probe\n"),
  contentType: "text/plain",
};
const PROBE_URL = `https://files.example.com/${PROBE.key}`;

describe("writerUpload", () => {
  it("uploads with exactly Mastodon's headers and no ACL when S3_PERMISSION is empty", async () => {
    const { ctx, calls } = context({});
    const outcome = await writerUpload.run(ctx);
    expect(outcome.status).toBe("pass");
    expect(calls).toHaveLength(1);
    expect(calls[0]?.command).toBe("PutObject");
    expect(calls[0]?.input).toMatchObject({
      Bucket: "example-social-media",
      ContentType: "text/plain",
      CacheControl: MASTODON_CACHE_CONTROL,
      ACL: undefined,
    });
    expect(ctx.state.probe?.key).toMatch(
      /^media_attachments\/mastodon-media-verify\/\d{8}T\d{6}-[0-9a-f]{12}\/probe\.txt$/,
    );
  });

  it("tells an ACL refusal apart by uploading again without the header, and keeps that probe for the other checks", async () => {
    const { ctx, calls } = context({
      env: { S3_PERMISSION: undefined },
      s3: (_command, input) => (input.ACL ? s3Error("AccessControlListNotSupported", 400) : {}),
    });
    const outcome = await writerUpload.run(ctx);
    expect(calls.map((call) => call.input.ACL)).toEqual(["public-read", undefined]);
    expect(outcome.status).toBe("fail");
    expect(outcome.observed[1]).toBe("the same upload without x-amz-acl: 200");
    expect(outcome.fix).toBe(
      "set S3_PERMISSION= (empty) so that Mastodon sends no ACL; public reads come from the bucket policy or the CDN",
    );
    expect(outcome.transient).toBe(false);
    expect(ctx.state).toMatchObject({ aclRejected: true, probe: { key: expect.stringContaining("probe.txt") } });
  });

  it("marks denied uploads as worth retrying for a while (IAM propagation) and leaves no probe", async () => {
    const { ctx } = context({ s3: () => s3Error("AccessDenied", 403) });
    const outcome = await writerUpload.run(ctx);
    expect(outcome).toMatchObject({ status: "fail", transient: true });
    expect(ctx.state.probe).toBeUndefined();
  });
});

describe("publicRead", () => {
  const withProbe = (http: Record<string, HttpResponse>, env?: Record<string, string>) => {
    const c = context({ http, env });
    c.ctx.state.probe = PROBE;
    return c;
  };

  it("passes on 200 with the uploaded bytes and records that media is served", async () => {
    const { ctx } = withProbe({
      [`GET ${PROBE_URL}`]: response(200, "probe\n", {
        "cache-control": MASTODON_CACHE_CONTROL,
        "content-type": "text/plain",
      }),
    });
    expect(await publicRead.run(ctx)).toEqual({
      status: "pass",
      observed: [`GET ${PROBE_URL}: 200, 6 bytes, Content-Type: text/plain, Cache-Control: ${MASTODON_CACHE_CONTROL}`],
    });
    expect(ctx.state.mediaServed).toBe(true);
  });

  it("waits on a 403, which a CDN that cannot read the bucket yet answers", async () => {
    const { ctx } = withProbe({ [`GET ${PROBE_URL}`]: response(403, "<Error><Code>AccessDenied</Code></Error>") });
    const outcome = await publicRead.run(ctx);
    expect(outcome).toMatchObject({
      status: "fail",
      transient: true,
      observed: [`GET ${PROBE_URL}: 403 AccessDenied, 40 bytes, Content-Type: (none), Cache-Control: (none)`],
    });
    expect(outcome.cause).toMatch(/^anonymous reads of media_attachments\/ are refused/);
  });

  it("names the bucket in S3_ALIAS_HOST when the host serves the bucket at its root", async () => {
    const alias = "files.example.com/example-social-media";
    const { ctx } = withProbe(
      { [`GET https://${alias}/${PROBE.key}`]: response(404, "<Error><Code>NoSuchKey</Code></Error>") },
      { S3_ALIAS_HOST: alias },
    );
    expect((await publicRead.run(ctx)).fix).toBe("remove /example-social-media from S3_ALIAS_HOST");
  });

  it("fails without waiting on a redirect or on other content", async () => {
    const redirect = await publicRead.run(
      withProbe({ [`GET ${PROBE_URL}`]: response(301, "", { location: "https://cdn.example.net/x" }) }).ctx,
    );
    expect(redirect).toMatchObject({ status: "fail", transient: false });
    expect(redirect.cause).toBe(
      "the media host redirects (301 to https://cdn.example.net/x) to a host the browser's CSP does not allow, or that does not serve the file: browsers block the media",
    );
    expect(redirect.fix).toBe(
      "add it to the CSP: EXTRA_MEDIA_HOSTS=https://cdn.example.net (keep other entries), or serve media directly at S3_ALIAS_HOST",
    );
    const page = await publicRead.run(withProbe({ [`GET ${PROBE_URL}`]: response(200, "<html>welcome</html>") }).ctx);
    expect(page).toMatchObject({ status: "fail", transient: false });
  });
});

describe("cors", () => {
  const preflightKey = `OPTIONS ${PROBE_URL}`;
  const run = async (getOrigin: string | undefined, preflight: HttpResponse) => {
    const { ctx } = context({
      http: {
        [`GET ${PROBE_URL}`]: response(200, "probe\n", getOrigin ? { "access-control-allow-origin": getOrigin } : {}),
        [preflightKey]: preflight,
      },
    });
    ctx.state.probe = PROBE;
    ctx.state.mediaServed = true;
    return cors.run(ctx);
  };

  it("passes when GET and preflight allow every origin or this one", async () => {
    const outcome = await run(
      "*",
      response(200, "", {
        "access-control-allow-origin": "https://social.example.com",
        "access-control-allow-methods": "GET, HEAD",
      }),
    );
    expect(outcome).toEqual({
      status: "pass",
      observed: [
        "GET with Origin: https://social.example.com: 200, Access-Control-Allow-Origin: *",
        "OPTIONS preflight (GET) from https://social.example.com: 200, Access-Control-Allow-Origin: https://social.example.com, Access-Control-Allow-Methods: GET, HEAD",
      ],
    });
  });

  it("fails when the origin allowed is another one", async () => {
    const outcome = await run(
      "https://other.example",
      response(200, "", { "access-control-allow-origin": "https://other.example" }),
    );
    expect(outcome.status).toBe("fail");
    expect(outcome.fix).toContain("pass one of them with --origin");
  });
});

describe("noListing", () => {
  const API = "https://example-social-media.s3.eu-central-1.amazonaws.com/";

  it("fails when the media host's root is an S3 listing, and names where", async () => {
    const { ctx } = context({
      http: {
        "GET https://files.example.com/": response(
          200,
          '<?xml version="1.0"?><ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Contents>',
        ),
        [`GET ${API}`]: response(403, "<Error><Code>AccessDenied</Code></Error>"),
      },
    });
    const outcome = await noListing.run(ctx);
    expect(outcome.observed).toEqual([
      `GET https://files.example.com/: 200, an S3 listing of keys`,
      `GET ${API}: 403 AccessDenied`,
    ]);
    expect(outcome.cause).toMatch(/^anyone can list every key at https:\/\/files\.example\.com\/,/);
  });

  it("passes on an index page that is not a listing, and on refusals", async () => {
    const { ctx } = context({
      http: {
        "GET https://files.example.com/": response(200, "<html>Media for social.example.com</html>"),
        [`GET ${API}`]: response(403),
      },
    });
    expect((await noListing.run(ctx)).status).toBe("pass");
  });
});

describe("writerCannotCreateBucket", () => {
  it("passes on AccessDenied, names AWS's region, and has nothing to remove", async () => {
    const { ctx, calls, probes } = context({ s3: () => s3Error("AccessDenied", 403) });
    ctx.state.probe = PROBE;
    expect((await writerCannotCreateBucket.run(ctx)).status).toBe("pass");
    expect(calls[0]?.input).toMatchObject({
      Bucket: expect.stringMatching(/^mastodon-media-verify-[0-9a-f]{16}$/),
      CreateBucketConfiguration: { LocationConstraint: "eu-central-1" },
    });
    expect(probes.pending().buckets).toEqual([]);
  });

  it("fails when the bucket gets created, and the cleanup deletes it", async () => {
    const { ctx, calls, probes } = context({
      s3: (command, input) => (command === "ListObjectsV2" ? { Name: input.Bucket } : {}),
    });
    ctx.state.probe = PROBE;
    expect((await writerCannotCreateBucket.run(ctx)).cause).toBe(
      "the writer may create buckets: it holds more than the media bucket's permissions",
    );
    const created = calls[0]?.input.Bucket;
    expect(await probes.removeAll(ctx.io.s3, (t) => t)).toEqual([]);
    expect(calls.at(-1)).toEqual({ command: "DeleteBucket", input: { Bucket: created } });
  });
});

describe("writerCannotChangePolicy", () => {
  const run = async (answer: unknown) => {
    const { ctx, calls } = context({ s3: () => answer });
    ctx.state.probe = PROBE;
    return { outcome: await writerCannotChangePolicy.run(ctx), calls };
  };

  it("sends a document that cannot change anything, and passes on a refusal", async () => {
    const { outcome, calls } = await run(s3Error("AccessDenied", 403));
    expect(calls).toEqual([
      { command: "PutBucketPolicy", input: { Bucket: "example-social-media", Policy: INVALID_POLICY } },
    ]);
    expect(outcome.status).toBe("pass");
  });

  it("fails when only the document's parse error stopped the writer", async () => {
    const { outcome } = await run(s3Error("MalformedPolicy", 400));
    expect(outcome.cause).toMatch(/^the writer passed the authorization check/);
  });

  it("fails loudly when the server accepts it and stores it, and says to restore the policy", async () => {
    const { outcome } = await run({ Policy: INVALID_POLICY });
    expect(outcome.fix).toMatch(/^restore the bucket policy now/);
  });
});

describe("tls", () => {
  const facts = (protocol: string, daysLeft: number): TlsFacts => ({
    protocol,
    subject: "files.example.com",
    issuer: "Amazon RSA 2048 M02",
    validTo: new Date("2027-06-01T00:00:00Z"),
    daysLeft,
  });

  it("checks the media host and the API endpoint, and notes a certificate close to expiry", async () => {
    const hosts: string[] = [];
    const { ctx } = context({
      tls: (host) => (hosts.push(host), facts("TLSv1.3", host === "files.example.com" ? 9 : 200)),
    });
    const outcome = await tls.run(ctx);
    expect(hosts).toEqual(["files.example.com", "s3.eu-central-1.amazonaws.com"]);
    expect(outcome.status).toBe("pass");
    expect(outcome.observed[0]).toBe(
      "files.example.com: TLSv1.3, certificate for files.example.com from Amazon RSA 2048 M02, valid until 2027-06-01 (only 9 days left: check its renewal)",
    );
  });

  it("fails on TLS older than 1.2", async () => {
    const { ctx } = context({ tls: () => facts("TLSv1.1", 200) });
    expect((await tls.run(ctx)).cause).toBe("files.example.com negotiated TLSv1.1, which browsers refuse");
  });

  it("is skipped for a plain-http loopback server", async () => {
    const { ctx } = context({
      env: {
        S3_ALIAS_HOST: undefined,
        S3_PROTOCOL: "http",
        S3_ENDPOINT: "http://127.0.0.1:40080",
        S3_HOSTNAME: "127.0.0.1:40080",
        S3_REGION: "us-east-1",
      },
    });
    expect(await tls.run(ctx)).toEqual({
      status: "skip",
      observed: ["plain http on loopback (127.0.0.1:40080): a local test server, no TLS to check"],
    });
  });
});

import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import * as path from "node:path";
import { CloudFrontClient } from "@aws-sdk/client-cloudfront";
import { Sha256 } from "@smithy/core/checksum";
import { SignatureV4 } from "@smithy/signature-v4";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

/**
 * The purge handler (providers/aws/purge-handler.mjs) with the real AWS SDK v3 CloudFront client, pointed at a
 * local HTTP server standing in for the CloudFront API: the server checks the request's SigV4 signature by
 * signing it again (service `cloudfront`, region us-east-1: CloudFront is a global service), its path
 * (`POST /2020-05-31/distribution/ID/invalidation`, CloudFront API reference "CreateInvalidation") and its XML
 * body, and answers as CloudFront does (201 with the Invalidation; 400 TooManyInvalidationsInProgress or Throttling
 * on demand). The handler's pauses advance a test clock instead of the real one.
 */
const credentials = {
  accessKeyId: "AKIAIOSFODNN7EXAMPLE",
  secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
};
const KEY = "/media_attachments/files/109/348/795/826/151/409/original/0a1b2c3d4e5f.png";

interface Received {
  method: string;
  path: string;
  body: string;
  signatureValid: boolean;
  scope: string;
}

async function signatureValid(request: IncomingMessage, body: string): Promise<{ valid: boolean; scope: string }> {
  const authorization = String(request.headers.authorization ?? "");
  const match =
    /Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, SignedHeaders=([^,]+), Signature=([0-9a-f]{64})/.exec(
      authorization,
    );
  if (!match) return { valid: false, scope: "" };
  const [, , , region, service, signedHeaders, signature] = match as unknown as string[];
  const headers: Record<string, string> = {};
  for (const name of (signedHeaders as string).split(";")) headers[name] = String(request.headers[name] ?? "");
  const url = new URL(request.url ?? "/", "http://127.0.0.1");
  const signer = new SignatureV4({ credentials, region: region as string, service: service as string, sha256: Sha256 });
  const amzDate = String(request.headers["x-amz-date"]);
  const signingDate = new Date(
    `${amzDate.slice(0, 4)}-${amzDate.slice(4, 6)}-${amzDate.slice(6, 8)}T${amzDate.slice(9, 11)}:${amzDate.slice(11, 13)}:${amzDate.slice(13, 15)}Z`,
  );
  const signed = await signer.sign(
    {
      method: request.method ?? "GET",
      protocol: "http:",
      hostname: url.hostname,
      port: Number(url.port) || undefined,
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      headers,
      body,
    },
    { signingDate },
  );
  const expected = /Signature=([0-9a-f]{64})/.exec(String(signed.headers.authorization))?.[1];
  return { valid: expected === signature, scope: `${region}/${service}` };
}

describe("the purge handler's CreateInvalidation (real SDK client, local CloudFront API)", () => {
  const received: Received[] = [];
  let refuseWildcards = false;
  /** Error codes the stand-in answers, one per request, before it accepts again. */
  const refusals: string[] = [];
  const pauses: number[] = [];
  const errors: string[] = [];
  let clock = Date.UTC(2026, 11, 7, 6, 1);
  let server: Server;
  let handler: (
    event: unknown,
    context?: { getRemainingTimeInMillis(): number },
  ) => Promise<{ statusCode: number; body: string }>;
  let invalidationPaths: (keyPath: string) => string[] | null;

  beforeAll(async () => {
    server = createServer((request, response) => {
      let body = "";
      request.on("data", (chunk) => (body += chunk));
      request.on("end", async () => {
        const { valid, scope } = await signatureValid(request, body);
        received.push({ method: request.method ?? "", path: request.url ?? "", body, signatureValid: valid, scope });
        const wildcard = body.includes("/*</Path>");
        const refusal =
          refusals.shift() ?? (refuseWildcards && wildcard ? "TooManyInvalidationsInProgress" : undefined);
        if (refusal) {
          // CloudFront API reference, "CreateInvalidation" errors, and AWS common errors (Throttling, "Rate exceeded").
          const message =
            refusal === "Throttling"
              ? "Rate exceeded"
              : "Processing your request will cause you to exceed the maximum number of in-progress wildcard invalidations.";
          response.writeHead(400, { "content-type": "text/xml" });
          response.end(
            `<?xml version="1.0"?><ErrorResponse xmlns="http://cloudfront.amazonaws.com/doc/2020-05-31/"><Error><Type>Sender</Type><Code>${refusal}</Code><Message>${message}</Message></Error><RequestId>b7b4ee1b-0000-4000-8000-000000000000</RequestId></ErrorResponse>`,
          );
          return;
        }
        const batch = /<InvalidationBatch[\s\S]*<\/InvalidationBatch>/.exec(body)?.[0] ?? "";
        response.writeHead(201, {
          "content-type": "text/xml",
          location:
            "https://cloudfront.amazonaws.com/2020-05-31/distribution/E2QWRUHEXAMPLE/invalidation/I2J0I21PCUYOIK",
        });
        response.end(
          `<?xml version="1.0"?><Invalidation xmlns="http://cloudfront.amazonaws.com/doc/2020-05-31/"><Id>I2J0I21PCUYOIK</Id><Status>InProgress</Status><CreateTime>2026-12-07T06:00:00Z</CreateTime>${batch}</Invalidation>`,
        );
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    const module = await import(path.resolve(__dirname, "../../../providers/aws/purge-handler.mjs"));
    invalidationPaths = module.invalidationPaths;
    const client = new CloudFrontClient({
      region: "us-east-1",
      endpoint: `http://127.0.0.1:${port}`,
      credentials,
      maxAttempts: 1,
    });
    const log = { info: () => undefined, error: (line: string) => errors.push(line) };
    const pause = async (ms: number) => {
      pauses.push(ms);
      clock += ms;
    };
    handler = module.createHandler({ client, now: () => clock, log, pause });
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const bust = (rawPath: string, context?: { getRemainingTimeInMillis(): number }) =>
    handler({ rawPath, requestContext: { http: { method: "GET" } } }, context);
  const pathsOf = (calls: Received[]) => calls.map((call) => /<Path>([^<]+)<\/Path>/.exec(call.body)?.[1]);
  const reset = () => {
    received.length = 0;
    pauses.length = 0;
    errors.length = 0;
    refusals.length = 0;
  };
  // The Lambda's 10 s timeout (providers/aws/cache-buster.ts), as its context reports it at the start.
  const lambda = () => {
    const end = clock + 10_000;
    return { getRemainingTimeInMillis: () => end - clock };
  };

  it("invalidates the attachment's id-partition folder with one wildcard path, signed for CloudFront", async () => {
    received.length = 0;
    const answer = await bust(`/.mastodon-cache-buster/E2QWRUHEXAMPLE${KEY}`);
    expect(answer.statusCode).toBe(202);
    expect(received).toHaveLength(1);
    const [call] = received as [Received];
    expect(call.method).toBe("POST");
    expect(call.path).toBe("/2020-05-31/distribution/E2QWRUHEXAMPLE/invalidation");
    expect(call.signatureValid).toBe(true);
    expect(call.scope).toBe("us-east-1/cloudfront");
    expect(call.body).toContain(
      "<Paths><Quantity>1</Quantity><Items><Path>/media_attachments/files/109/348/795/826/151/409/*</Path></Items></Paths>",
    );
  });

  it("gives every style of one attachment the same CallerReference within five minutes, so CloudFront makes one invalidation", async () => {
    received.length = 0;
    await bust(`/.mastodon-cache-buster/E2QWRUHEXAMPLE${KEY}`);
    await bust(`/.mastodon-cache-buster/E2QWRUHEXAMPLE${KEY.replace("/original/", "/small/")}`);
    const references = received.map((call) => /<CallerReference>([^<]+)<\/CallerReference>/.exec(call.body)?.[1]);
    expect(references[0]).toBeDefined();
    expect(references[1]).toBe(references[0]);
  });

  it("falls back to the exact path when CloudFront refuses more wildcard invalidations", async () => {
    received.length = 0;
    refuseWildcards = true;
    try {
      const answer = await bust(`/.mastodon-cache-buster/E2QWRUHEXAMPLE/social/cache${KEY}`);
      expect(answer.statusCode).toBe(202);
      expect(received.map((call) => /<Path>([^<]+)<\/Path>/.exec(call.body)?.[1])).toEqual([
        "/social/cache/media_attachments/files/109/348/795/826/151/409/*",
        `/social/cache${KEY}`,
      ]);
    } finally {
      refuseWildcards = false;
    }
  });

  it("retries the same path after a pause when CloudFront throttles, and then invalidates it", async () => {
    reset();
    refusals.push("Throttling");
    const answer = await bust(`/.mastodon-cache-buster/E2QWRUHEXAMPLE${KEY}`, lambda());
    expect(answer.statusCode).toBe(202);
    expect(pathsOf(received)).toEqual([
      "/media_attachments/files/109/348/795/826/151/409/*",
      "/media_attachments/files/109/348/795/826/151/409/*",
    ]);
    expect(received.every((call) => call.signatureValid)).toBe(true);
    expect(pauses).toHaveLength(1);
    expect(errors[0]).toContain("Throttling; retrying in");
  });

  it("retries the exact path while both invalidation limits are reached, and invalidates it once one frees", async () => {
    reset();
    refusals.push("TooManyInvalidationsInProgress", "TooManyInvalidationsInProgress", "TooManyInvalidationsInProgress");
    const answer = await bust(`/.mastodon-cache-buster/E2QWRUHEXAMPLE${KEY}`, lambda());
    expect(answer.statusCode).toBe(202);
    expect(pathsOf(received)).toEqual(["/media_attachments/files/109/348/795/826/151/409/*", KEY, KEY, KEY]);
    expect(pauses).toHaveLength(2);
    expect(pauses[1]!).toBeGreaterThan(pauses[0]!);
  });

  it("gives up before the Lambda's timeout, answers 503 and logs that the bust is lost, naming npm run purge", async () => {
    reset();
    refusals.push(...Array<string>(100).fill("Throttling"));
    const started = clock;
    const answer = await bust(`/.mastodon-cache-buster/E2QWRUHEXAMPLE${KEY}`, lambda());
    expect(answer.statusCode).toBe(503);
    const waited = clock - started;
    expect(waited).toBeGreaterThan(4_000);
    expect(waited).toBeLessThanOrEqual(10_000 - 1_500);
    expect(received.length).toBeLessThan(15);
    expect(errors.at(-1)).toMatch(/still Throttling after \d+ attempts .*this bust is lost: npm run purge/);
  });

  it("does not retry what waiting cannot fix", async () => {
    reset();
    refusals.push("NoSuchDistribution");
    expect((await bust(`/.mastodon-cache-buster/E2QWRUHEXAMPLE${KEY}`, lambda())).statusCode).toBe(503);
    expect(received).toHaveLength(1);
    expect(pauses).toEqual([]);
  });

  it("calls nothing for a path that is not a bust request", async () => {
    received.length = 0;
    for (const rawPath of [
      KEY,
      "/.mastodon-cache-buster/E2QWRUHEXAMPLE/*",
      "/.mastodon-cache-buster/lowercase/x.png",
    ]) {
      expect((await bust(rawPath)).statusCode).toBe(404);
    }
    expect(received).toEqual([]);
  });

  it("invalidates any other key by its exact path only", () => {
    expect(invalidationPaths("/accounts/avatars/109/348/795/826/151/409/original/a.png")).toEqual([
      "/accounts/avatars/109/348/795/826/151/409/original/a.png",
    ]);
    expect(invalidationPaths("/media_attachments/files/../x")).toBeNull();
  });
});

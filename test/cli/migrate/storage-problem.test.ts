import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runMigrateCommand } from "../../helpers/command";
import { listenOnLoopback } from "../../helpers/loopback-server";
import { envText, loopbackS3Env } from "../../helpers/target";

/**
 * `migrate --run` against a destination (or a --from-env source) it cannot use: one line naming the variable and
 * the cause, exit 2, no stack trace, before rclone starts (cli/migrate/storage-problem.ts). The servers are real
 * HTTP servers on loopback answering S3's documented error documents (S3 API reference, "Error responses":
 * NoSuchBucket 404, InvalidAccessKeyId 403, SignatureDoesNotMatch 403, AccessDenied 403, InternalError 500).
 */

const SECRET = "abcdefabcdefabcdefabcdefabcdefabcdefabcd";
const KEY_ID = "AKIAEXAMPLEEXAMPLE12";

function env(endpoint: string, permission = ""): string {
  return envText(
    loopbackS3Env(endpoint, {
      S3_PERMISSION: permission,
      AWS_ACCESS_KEY_ID: KEY_ID,
      AWS_SECRET_ACCESS_KEY: SECRET,
      LOCAL_DOMAIN: "example.com",
    }),
  );
}

const EMPTY_LISTING =
  '<?xml version="1.0" encoding="UTF-8"?><ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>lab-media</Name><Prefix></Prefix>' +
  "<KeyCount>0</KeyCount><MaxKeys>1</MaxKeys><IsTruncated>false</IsTruncated></ListBucketResult>";

/** Answers the n-th request (from 0) as `answers[n]` (the last one repeats): [status, S3 error code] or "empty". */
async function s3Server(
  answers: Array<[number, string] | "empty">,
): Promise<{ url: string; close: () => Promise<void>; requests: () => number }> {
  let seen = 0;
  const server = await listenOnLoopback((request, response) => {
    const answer = answers[Math.min(seen++, answers.length - 1)]!;
    request.resume();
    if (answer === "empty") {
      response.writeHead(200, { "content-type": "application/xml" }).end(EMPTY_LISTING);
      return;
    }
    const [status, code] = answer;
    response
      .writeHead(status, { "content-type": "application/xml" })
      .end(
        `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>refused for ${KEY_ID}</Message><BucketName>lab-media</BucketName><RequestId>1</RequestId></Error>`,
      );
  });
  return { url: server.url, close: server.close, requests: () => seen };
}

/** "127.0.0.1:PORT" where nothing listens any more (connection refused). */
async function closedHost(): Promise<string> {
  const server = await listenOnLoopback();
  await server.close();
  return server.host;
}

describe("migrate --run names an unusable bucket side and exits 2", { timeout: 60_000 }, () => {
  let dir: string;
  let system: string;
  const path0 = process.env.PATH;
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), "migrate-storage-problem-"));
    // A stand-in rclone: answers `rclone version` as Debian 12's, and fails the test if a copy is ever started.
    const bin = path.join(dir, "bin");
    mkdirSync(bin);
    writeFileSync(
      path.join(bin, "rclone"),
      `#!/bin/sh\nif [ "$1" = version ]; then echo "rclone v1.60.1-DEV"; exit 0; fi\necho "copy started" >&2; exit 99\n`,
    );
    chmodSync(path.join(bin, "rclone"), 0o755);
    process.env.PATH = `${bin}:${path0}`;
    system = path.join(dir, "system");
    mkdirSync(path.join(system, "media_attachments"), { recursive: true });
    writeFileSync(path.join(system, "media_attachments", "a.png"), "x");
  });
  afterAll(() => {
    process.env.PATH = path0;
    rmSync(dir, { recursive: true, force: true });
  });

  function envFile(name: string, endpoint: string, permission = ""): string {
    const file = path.join(dir, name);
    writeFileSync(file, env(endpoint, permission), { mode: 0o600 });
    return file;
  }

  function expectOneLine(stderr: string, ...parts: string[]): void {
    expect(stderr).not.toMatch(/\n\s+at /);
    expect(stderr).not.toContain(SECRET);
    expect(stderr).not.toContain("it resumes");
    expect(stderr).not.toContain("copy started");
    for (const part of parts) expect(stderr).toContain(part);
  }

  it("a destination where nothing listens: S3_ENDPOINT and connection refused", async () => {
    const file = envFile("refused.env", `http://${await closedHost()}`);
    const { code, stderr } = await runMigrateCommand(["--from", `local:${system}`, "--to-env", file, "--run"]);
    expectOneLine(stderr, `--to-env ${file}`, "S3_ENDPOINT", "connection refused");
    expect(code).toBe(2);
  });

  it("a --from-env source where nothing listens: named as the source", async () => {
    const destination = await s3Server(["empty"]);
    try {
      const from = envFile("from-refused.env", `http://${await closedHost()}`);
      const to = envFile("to-ok.env", destination.url);
      const { code, stderr } = await runMigrateCommand(["--from-env", from, "--to-env", to, "--run"]);
      expectOneLine(stderr, `--from-env ${from}`, "S3_ENDPOINT", "connection refused");
      expect(code).toBe(2);
    } finally {
      await destination.close();
    }
  });

  const refusals: Array<[string, number, string]> = [
    ["NoSuchBucket", 404, "S3_BUCKET"],
    ["InvalidAccessKeyId", 403, "AWS_ACCESS_KEY_ID"],
    ["SignatureDoesNotMatch", 403, "AWS_SECRET_ACCESS_KEY"],
    ["AccessDenied", 403, "s3:ListBucket"],
  ];
  for (const [s3Code, status, named] of refusals) {
    it(`${s3Code} on the first listing page: names ${named}, before any copy`, async () => {
      const server = await s3Server([[status, s3Code]]);
      try {
        const file = envFile(`${s3Code}.env`, server.url);
        const { code, stdout, stderr } = await runMigrateCommand([
          "--from",
          `local:${system}`,
          "--to-env",
          file,
          "--run",
        ]);
        expectOneLine(stderr, `--to-env ${file}`, s3Code, named);
        expect(stdout).not.toContain("copying");
        expect(code).toBe(2);
        expect(server.requests()).toBe(1);
      } finally {
        await server.close();
      }
    });
  }

  it("a server error (500 InternalError) is one line with its code, exit 1 (failed, not the user's mistake)", async () => {
    const server = await s3Server([[500, "InternalError"]]);
    try {
      const file = envFile("internal.env", server.url);
      const { code, stderr } = await runMigrateCommand(["--from", `local:${system}`, "--to-env", file, "--run"]);
      expectOneLine(stderr, `--to-env ${file}`, "500 InternalError");
      expect(stderr.trim().split("\n")).toHaveLength(2);
      expect(code).toBe(1);
    } finally {
      await server.close();
    }
  });

  it("a refusal after the preflight, during the listing, is still one line naming the side", async () => {
    const server = await s3Server(["empty", [403, "AccessDenied"]]);
    try {
      const file = envFile("later.env", server.url);
      const { code, stdout, stderr } = await runMigrateCommand([
        "--from",
        `local:${system}`,
        "--to-env",
        file,
        "--run",
      ]);
      expectOneLine(stderr, `--to-env ${file}`, "403 AccessDenied", "s3:ListBucket");
      expect(stdout).not.toContain("copying");
      expect(code).toBe(2);
    } finally {
      await server.close();
    }
  });
  // A --from-env source is an old bucket this project did not make: the fix names what its key needs there
  // (cli/migrate/storage-problem.ts sourceSide), never this project's stack.
  function expectSourceFix(stderr: string, from: string, ...parts: string[]): void {
    expectOneLine(stderr, `--from-env ${from}`, "s3:ListBucket on the bucket lab-media", "s3:GetObject on lab-media/*");
    for (const part of parts) expect(stderr).toContain(part);
    expect(stderr).not.toContain("pulumi");
    expect(stderr).not.toContain("envProduction");
  }

  it("AccessDenied on a --from-env source: what its key needs there, not pulumi up", async () => {
    const source = await s3Server([[403, "AccessDenied"]]);
    const destination = await s3Server(["empty"]);
    try {
      const from = envFile("from-denied.env", source.url);
      const to = envFile("to-denied.env", destination.url);
      const { code, stderr } = await runMigrateCommand(["--from-env", from, "--to-env", to, "--run"]);
      expectSourceFix(stderr, from, "ListObjectsV2 on lab-media failed (403 AccessDenied");
      // Neither side uses object ACLs: the source's ACLs are never read.
      expect(stderr).not.toContain("s3:GetObjectAcl");
      expect(code).toBe(2);
    } finally {
      await source.close();
      await destination.close();
    }
  });

  it("AccessDenied on a source when both sides use object ACLs: names s3:GetObjectAcl too", async () => {
    const source = await s3Server([[403, "AccessDenied"]]);
    const destination = await s3Server(["empty"]);
    try {
      const from = envFile("from-acl-denied.env", source.url, "public-read");
      const to = envFile("to-acl.env", destination.url, "public-read");
      const { code, stderr } = await runMigrateCommand(["--from-env", from, "--to-env", to, "--run"]);
      expectSourceFix(stderr, from, "s3:GetObjectAcl on lab-media/*");
      expect(code).toBe(2);
    } finally {
      await source.close();
      await destination.close();
    }
  });

  it("the source's key refused later, mid-listing: the source's fix, one line", async () => {
    const source = await s3Server(["empty", [403, "AccessDenied"]]);
    const destination = await s3Server(["empty"]);
    try {
      const from = envFile("from-later.env", source.url);
      const to = envFile("to-later.env", destination.url);
      const { code, stdout, stderr } = await runMigrateCommand(["--from-env", from, "--to-env", to, "--run"]);
      expectSourceFix(stderr, from, "403 AccessDenied");
      expect(stdout).not.toContain("copying");
      expect(code).toBe(2);
    } finally {
      await source.close();
      await destination.close();
    }
  });

  it("InvalidAccessKeyId and SignatureDoesNotMatch on a source point at the .env.production, not the stack's output", async () => {
    for (const s3Code of ["InvalidAccessKeyId", "SignatureDoesNotMatch"]) {
      const source = await s3Server([[403, s3Code]]);
      const destination = await s3Server(["empty"]);
      try {
        const from = envFile(`from-${s3Code}.env`, source.url);
        const to = envFile(`to-${s3Code}.env`, destination.url);
        const { code, stderr } = await runMigrateCommand(["--from-env", from, "--to-env", to, "--run"]);
        expectOneLine(stderr, `--from-env ${from}`, s3Code, "the .env.production Mastodon runs with");
        expect(stderr).not.toContain("pulumi");
        expect(code).toBe(2);
      } finally {
        await source.close();
        await destination.close();
      }
    }
  });

  it("GetObjectAcl refused and the anonymous HEAD inconclusive: one line naming s3:GetObjectAcl, not a stack trace", async () => {
    // The source lists one key; its GetObjectAcl answers 403 AccessDenied and the anonymous HEAD on the API
    // endpoint 404 (S3 API reference, GetObjectAcl: "Permissions"), so whether it is public cannot be told.
    const requests: string[] = [];
    const source = await listenOnLoopback((request, response) => {
      request.resume();
      const url = new URL(request.url ?? "/", "http://source");
      requests.push(`${request.method} ${url.pathname}${url.search}`);
      if (url.searchParams.get("list-type") === "2") {
        response
          .writeHead(200, { "content-type": "application/xml" })
          .end(
            '<?xml version="1.0" encoding="UTF-8"?><ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>lab-media</Name><Prefix></Prefix>' +
              "<KeyCount>1</KeyCount><MaxKeys>1000</MaxKeys><IsTruncated>false</IsTruncated>" +
              '<Contents><Key>media_attachments/a.png</Key><Size>1</Size><ETag>"9dd4e461268c8034f5c8564e155c67a6"</ETag><LastModified>2026-12-01T00:00:00.000Z</LastModified></Contents></ListBucketResult>',
          );
      } else if (url.searchParams.has("acl")) {
        response
          .writeHead(403, { "content-type": "application/xml" })
          .end(
            '<?xml version="1.0" encoding="UTF-8"?><Error><Code>AccessDenied</Code><Message>Access Denied</Message><RequestId>2</RequestId></Error>',
          );
      } else {
        response.writeHead(request.method === "HEAD" ? 404 : 500).end();
      }
    });
    const destination = await s3Server(["empty"]);
    try {
      const from = envFile("from-acl.env", source.url, "public-read");
      const to = envFile("to-acl-read.env", destination.url, "public-read");
      const { code, stdout, stderr } = await runMigrateCommand(["--from-env", from, "--to-env", to, "--run"]);
      expect(
        requests.filter((line) => /^GET \/lab-media\/media_attachments\/a\.png\?acl/.test(line)),
        stderr,
      ).toHaveLength(1);
      expect(requests).toContain("HEAD /lab-media/media_attachments/a.png");
      expectSourceFix(
        stderr,
        from,
        "GetObjectAcl on lab-media/media_attachments/a.png failed (403 AccessDenied",
        "an anonymous HEAD, the other way to tell whether it is public, answers 404",
        "may not s3:GetObjectAcl",
        "s3:GetObjectAcl on lab-media/*",
      );
      expect(stdout).not.toContain("copying");
      expect(code).toBe(2);
    } finally {
      await source.close();
      await destination.close();
    }
  });
});

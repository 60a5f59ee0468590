import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isRefusal } from "../../cli/migrate/copy-refusal";
import { listenOnLoopback } from "../helpers/loopback-server";
import { migrateCli } from "../helpers/migrate-cli";
import { envText, loopbackS3Env } from "../helpers/target";

/**
 * A copy that the storage refuses (403) with the rclone on PATH (e2e.sh runs this file with Debian 12's 1.60 and
 * with the current line): rclone's error lines are recognised as refusals in both lines' wording
 * (cli/migrate/copy-refusal.ts), and the pass says what each side's key needs instead of "run the same command
 * again", which would fail the same way; a --from-env source is never sent to `pulumi up`. The storages are
 * loopback HTTP servers that list one key, or none, and answer S3's AccessDenied document (S3 API reference,
 * "Error responses") to every other request: the preflight and the listings pass, rclone's requests are refused.
 */

const KEY = "media_attachments/files/000/000/001/original/a.png";
const LISTING = (key?: string) =>
  '<?xml version="1.0" encoding="UTF-8"?><ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>lab-media</Name><Prefix></Prefix>' +
  `<KeyCount>${key ? 1 : 0}</KeyCount><MaxKeys>1000</MaxKeys><IsTruncated>false</IsTruncated>` +
  (key
    ? `<Contents><Key>${key}</Key><Size>1</Size><ETag>"9dd4e461268c8034f5c8564e155c67a6"</ETag><LastModified>2026-12-01T00:00:00.000Z</LastModified></Contents>`
    : "") +
  "</ListBucketResult>";

/** Lists `key` (or nothing) and refuses everything else with 403 AccessDenied. */
async function refusingServer(key?: string): Promise<{ url: string; close: () => Promise<void> }> {
  return listenOnLoopback((request, response) => {
    request.resume();
    const url = new URL(request.url ?? "/", "http://storage");
    if (request.method === "GET" && url.searchParams.get("list-type") === "2") {
      response.writeHead(200, { "content-type": "application/xml" }).end(LISTING(key));
      return;
    }
    response
      .writeHead(403, { "content-type": "application/xml" })
      .end(
        request.method === "HEAD"
          ? undefined
          : '<?xml version="1.0" encoding="UTF-8"?><Error><Code>AccessDenied</Code><Message>Access Denied</Message><RequestId>1</RequestId></Error>',
      );
  });
}

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), "migrate-refused-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function envFile(name: string, endpoint: string): string {
  const file = path.join(dir, name);
  const env = loopbackS3Env(endpoint, {
    AWS_ACCESS_KEY_ID: "AKIAREFUSEDKEY000000",
    AWS_SECRET_ACCESS_KEY: "refusedSecretRefusedSecretRefusedSecret0",
    LOCAL_DOMAIN: "example.com",
  });
  writeFileSync(file, envText(env), { mode: 0o600 });
  return file;
}

describe("migrate --run when rclone is refused (403)", { timeout: 120_000 }, () => {
  it("a --from-env source whose key may list but not read: what that key needs, not 'run it again' nor pulumi up", async () => {
    const source = await refusingServer(KEY);
    const destination = await refusingServer();
    try {
      const from = envFile("from.env", source.url);
      const to = envFile("to.env", destination.url);
      const run = await migrateCli(["--from-env", from, "--to-env", to, "--run", "--no-check"]);
      // rclone's error lines, printed by the pass (a message may go on over more lines: "\tstatus code: 403").
      expect(run.stdout, run.stderr).toContain("    error: ");
      expect(isRefusal(run.stdout), run.stdout).toBe(true);
      expect(run.stdout).toContain(
        "rclone was refused (403): running the same command again does not help until the refused key may do what the copy does:",
      );
      expect(run.stdout).toContain(
        `  --from-env ${from}: its key (AWS_ACCESS_KEY_ID) needs s3:ListBucket on the bucket lab-media, s3:GetObject on lab-media/*, where that bucket's access is managed`,
      );
      const sourceLine = run.stdout.split("\n").find((line) => line.startsWith(`  --from-env ${from}:`));
      expect(sourceLine).not.toContain("pulumi");
      expect(run.stdout).not.toContain("it resumes where it stopped");
      expect(run.stdout + run.stderr).not.toContain("refusedSecret");
      expect(run.code).toBe(1);
    } finally {
      await source.close();
      await destination.close();
    }
  });

  it("a destination that refuses the upload (through migrate's front): the writer's s3:PutObject", async () => {
    const system = path.join(dir, "system");
    mkdirSync(path.join(system, path.dirname(KEY)), { recursive: true });
    writeFileSync(path.join(system, KEY), "x");
    const destination = await refusingServer();
    try {
      const to = envFile("to-put.env", destination.url);
      const run = await migrateCli(["--from", `local:${system}`, "--to-env", to, "--run", "--no-check"]);
      expect(run.stdout, run.stderr).toContain("    error: ");
      expect(isRefusal(run.stdout), run.stdout).toBe(true);
      expect(run.stdout).toContain(
        `  --to-env ${to}: the writer needs s3:PutObject on lab-media/* (its stack's policy: re-run \`pulumi up\` to restore it)`,
      );
      expect(run.stdout).not.toContain("it resumes where it stopped");
      expect(run.code).toBe(1);
    } finally {
      await destination.close();
    }
  });
});

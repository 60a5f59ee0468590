import { execFileSync } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { afterEach, describe, expect, it } from "vitest";

const ROOT = path.resolve(__dirname, "../..");
const SECRET = "writerSecretOnlyInTheEnvironment0123456789";

// A stand-in radosgw-admin on PATH that records every argv it is given and what `metadata put` reads on stdin,
// and answers `metadata get` with a user record shaped like Ceph 16's.
const FAKE = `#!/usr/bin/env bash
printf '%s\\0' "$@" >>"$FAKE_LOG/argv"; printf '\\n' >>"$FAKE_LOG/argv"
case "$*" in
  *"metadata get"*) echo '{"key":"user:w1","data":{"user_id":"w1","keys":[{"user":"w1","access_key":"WRITERAK000000000001","secret_key":"generated"}]}}' ;;
  *"metadata put"*) cat >"$FAKE_LOG/put" ;;
esac
`;

let dir = "";
afterEach(() => dir && rmSync(dir, { recursive: true, force: true }));

function runUser(env: Record<string, string>): { argv: string[]; put: string } {
  dir = mkdtempSync(path.join(tmpdir(), "ceph-s3-secrets-"));
  mkdirSync(path.join(dir, "bin"));
  mkdirSync(path.join(dir, "state", "log"), { recursive: true });
  writeFileSync(path.join(dir, "bin", "radosgw-admin"), FAKE);
  chmodSync(path.join(dir, "bin", "radosgw-admin"), 0o755);
  execFileSync("bash", [path.join(ROOT, "scripts/ceph-s3.sh"), "user", "w1", "WRITERAK000000000001"], {
    env: {
      ...process.env,
      ...env,
      PATH: `${path.join(dir, "bin")}:${process.env.PATH}`,
      S3LAB_DIR: path.join(dir, "state"),
      FAKE_LOG: dir,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const argv = readFileSync(path.join(dir, "argv"), "utf8").split("\n").filter(Boolean);
  return { argv, put: readdirSync(dir).includes("put") ? readFileSync(path.join(dir, "put"), "utf8") : "" };
}

describe("scripts/ceph-s3.sh never puts a secret key in an argv", () => {
  it("user: takes the secret from S3_SECRET_KEY and writes it through metadata put's stdin", () => {
    const { argv, put } = runUser({ S3_SECRET_KEY: SECRET });
    expect(argv.length).toBe(3); // user create, metadata get, metadata put
    for (const args of argv) expect(args).not.toContain(SECRET);
    expect(argv[0]).toContain("--gen-secret");
    const record = JSON.parse(put) as { data: { keys: { access_key: string; secret_key: string }[] } };
    expect(record.data.keys).toEqual([{ user: "w1", access_key: "WRITERAK000000000001", secret_key: SECRET }]);
  });

  it("user: refuses to run without S3_SECRET_KEY, naming it", () => {
    let stderr = "";
    try {
      runUser({ S3_SECRET_KEY: "" });
    } catch (error) {
      stderr = String((error as { stderr: Buffer }).stderr);
    }
    expect(stderr).toContain("S3_SECRET_KEY");
  });

  it("no script or e2e helper passes a secret key as a command-line argument", () => {
    const script = readFileSync(path.join(ROOT, "scripts/ceph-s3.sh"), "utf8");
    expect(script).not.toMatch(/--secret-key|--secret=/);
    const server = readFileSync(path.join(ROOT, "test/e2e/server.ts"), "utf8");
    expect(server).not.toMatch(/"user",[^\]]*secretAccessKey\]/);
  });
});

import { execFile } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { deleteCommand } from "../../../cli/migrate/deleted-media";
import { targetOfText } from "../../helpers/target";
import { runMigrateCommand } from "../../helpers/command";

/**
 * The rclone lines migrate prints for the admin's shell: the rollback copy of the plan's step 3
 * (cli/migrate/timeline.ts) and the delete of a pass's destination-only keys (cli/migrate/deleted-media.ts).
 * Was: the rollback built `dst:BUCKET/PREFIX` by hand, without the trailing `/` a prefix-scoped writer needs
 * (cli/migrate/rclone.ts remotePath; rclone #9582), said "copies what is newer" of a migrate run that copies
 * what is missing or of another size; and both lines ran rclone in the admin's shell as it is, where
 * AWS_CA_BUNDLE breaks rclone 1.60 and RCLONE_* variables mix into the remote. Now both are printed by
 * cli/migrate/shell-line.ts, run here by bash with a stand-in rclone that writes down what it was given.
 */

const SECRET = "abcdefabcdefabcdefabcdefabcdefabcdefabcd";
const KEY_ID = "AKIAEXAMPLEEXAMPLE12";
const execFileAsync = promisify(execFile);

let dir: string;
let newEnv: string;

function envText(bucket: string, prefix: string, permission: string): string {
  return [
    "LOCAL_DOMAIN=social.example.com",
    "S3_ENABLED=true",
    `S3_BUCKET=${bucket}`,
    "S3_ENDPOINT=https://s3.example.net",
    "S3_HOSTNAME=s3.example.net",
    `S3_ALIAS_HOST=${bucket}.example.com`,
    "S3_REGION=us-east-1",
    `S3_KEY_PREFIX=${prefix}`,
    `S3_PERMISSION=${permission}`,
    `AWS_ACCESS_KEY_ID=${KEY_ID}`,
    `AWS_SECRET_ACCESS_KEY=${SECRET}`,
    "",
  ].join("\n");
}

/** Runs `line` in bash with a stand-in rclone first on PATH; returns its argv and environment. */
async function runAsAdmin(line: string, shell: Record<string, string>): Promise<{ argv: string[]; env: string[] }> {
  const bin = path.join(dir, "bin");
  mkdirSync(bin, { recursive: true });
  writeFileSync(
    path.join(bin, "rclone"),
    `#!/bin/sh\nfor arg in "$@"; do printf '%s\\n' "$arg"; done > "${dir}/argv"\nenv > "${dir}/env"\n`,
  );
  chmodSync(path.join(bin, "rclone"), 0o755);
  await execFileAsync("bash", ["-c", line], { env: { PATH: `${bin}:${process.env.PATH}`, HOME: dir, ...shell } });
  return {
    argv: readFileSync(path.join(dir, "argv"), "utf8").split("\n").slice(0, -1),
    env: readFileSync(path.join(dir, "env"), "utf8").trimEnd().split("\n"),
  };
}

const ADMIN_SHELL = {
  AWS_ACCESS_KEY_ID: KEY_ID,
  AWS_SECRET_ACCESS_KEY: SECRET,
  AWS_CA_BUNDLE: "/etc/private-ca.pem",
  RCLONE_CONFIG_DST_SESSION_TOKEN: "stray",
};

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), "migrate-printed-lines-"));
  newEnv = path.join(dir, "new.env");
  writeFileSync(newEnv, envText("lab-media", "social", ""), { mode: 0o600 });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function rolledBack(stdout: string): string {
  const lines = stdout.split("\n");
  return lines[lines.findIndex((text) => text.includes("(keys are the same both ways)")) + 1]!.trim();
}

describe("the rclone lines migrate prints run as --run runs rclone", () => {
  it("the rollback into local storage: dst:BUCKET/PREFIX/ with its slash, straight to the storage, key as names", async () => {
    const system = path.join(dir, "public", "system");
    mkdirSync(path.join(system, "media_attachments"), { recursive: true });
    const saved = process.env.RCLONE_CONFIG_DST_SESSION_TOKEN;
    process.env.RCLONE_CONFIG_DST_SESSION_TOKEN = "stray";
    let run;
    try {
      run = await runMigrateCommand(["--from", `local:${system}`, "--to-env", newEnv, "--start", "2026-12-01"]);
    } finally {
      if (saved === undefined) delete process.env.RCLONE_CONFIG_DST_SESSION_TOKEN;
      else process.env.RCLONE_CONFIG_DST_SESSION_TOKEN = saved;
    }
    expect(run.code, run.stderr).toBe(0);
    const line = rolledBack(run.stdout);
    expect(line).toContain(`rclone copy dst:lab-media/social/ ${system} --max-age 14d --config ''`);
    expect(line).toContain("RCLONE_CONFIG_DST_ENDPOINT=https://s3.example.net ");
    expect(line).toContain(`the writer's key of ${newEnv} exported as AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY`);
    expect(line).not.toContain("RCLONE_CONFIG_DST_ACL");
    expect(run.stdout).not.toContain(SECRET);
    expect(run.stdout).not.toContain(KEY_ID);

    const { argv, env } = await runAsAdmin(line.slice(0, line.indexOf("   (")), ADMIN_SHELL);
    expect(argv).toEqual([
      "copy",
      "dst:lab-media/social/",
      system,
      "--max-age",
      "14d",
      "--config",
      "",
      "--ca-cert=/etc/private-ca.pem",
    ]);
    expect(env).toContain(`RCLONE_CONFIG_DST_ACCESS_KEY_ID=${KEY_ID}`);
    expect(env).toContain(`RCLONE_CONFIG_DST_SECRET_ACCESS_KEY=${SECRET}`);
    expect(env).toContain("RCLONE_CONFIG_DST_ENDPOINT=https://s3.example.net");
    expect(env.filter((entry) => entry.startsWith("AWS_CA_BUNDLE="))).toEqual([]);
    expect(env.filter((entry) => entry.startsWith("RCLONE_CONFIG_DST_SESSION_TOKEN="))).toEqual([]);
  });

  it("the rollback into a bucket is migrate the other way round, and says what it copies", async () => {
    const oldEnv = path.join(dir, "old.env");
    for (const permission of ["public-read", ""]) {
      writeFileSync(oldEnv, envText("old-media", "old", permission), { mode: 0o600 });
      const run = await runMigrateCommand(["--from-env", oldEnv, "--to-env", newEnv, "--start", "2026-12-01"]);
      expect(run.code, run.stderr).toBe(0);
      expect(rolledBack(run.stdout)).toBe(
        `npm run migrate -- --from-env ${newEnv} --to-env ${oldEnv} --run   (copies the keys missing from the old bucket or of another size)`,
      );
    }
  });

  it("the delete: without AWS_CA_BUNDLE (its file given as --ca-cert) and the shell's RCLONE_* settings", async () => {
    const target = targetOfText(envText("lab-media", "social", ""));
    const line = deleteCommand(target, "/tmp/list.txt", { RCLONE_CONFIG_DST_SESSION_TOKEN: "stray" });
    expect(line).not.toContain(SECRET);
    const { argv, env } = await runAsAdmin(line, ADMIN_SHELL);
    expect(argv).toEqual([
      "delete",
      "dst:lab-media/social/",
      "--files-from-raw",
      "/tmp/list.txt",
      "--config",
      "",
      "--ca-cert=/etc/private-ca.pem",
    ]);
    expect(env).toContain(`RCLONE_CONFIG_DST_SECRET_ACCESS_KEY=${SECRET}`);
    expect(env.filter((entry) => /^(AWS_CA_BUNDLE|RCLONE_CONFIG_DST_SESSION_TOKEN)=/.test(entry))).toEqual([]);
    // A shell without a bundle: no --ca-cert at all.
    const plain = await runAsAdmin(line, { AWS_ACCESS_KEY_ID: KEY_ID, AWS_SECRET_ACCESS_KEY: SECRET });
    expect(plain.argv).not.toContain("--ca-cert=");
    expect(plain.argv.at(-1)).toBe("");
  });
});

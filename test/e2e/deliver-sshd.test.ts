import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mergeEnvBlock } from "../../components/mastodon-host/merge";
import { remoteCommand } from "../../components/mastodon-host/script";
import { BLOCK, MERGE_FIXTURES } from "../helpers/env-merge-fixtures";
import { startSshd, type LocalSshd } from "./sshd";

const SECRET = "new/secret+value";
let sshd: LocalSshd;
let live: string;
let counter = 0;

beforeAll(async () => {
  sshd = await startSshd();
});
afterAll(async () => sshd?.stop());

/** A fresh "Mastodon directory" with an env file, and the stand-in restart that records each call. */
function instance(content: string) {
  live = path.join(sshd.dir, `live-${++counter}`);
  mkdirSync(live);
  const envPath = path.join(live, ".env.production");
  writeFileSync(envPath, content);
  chmodSync(envPath, 0o600);
  const restartLog = path.join(live, "restarts.log");
  const command = remoteCommand({
    envPath,
    restart: { kind: "command", command: `echo restarted >> '${restartLog}'` },
  });
  const restarts = () =>
    existsSync(restartLog) ? readFileSync(restartLog, "utf8").split("\n").filter(Boolean).length : 0;
  const backups = () => readdirSync(live).filter((name) => name.startsWith(".env.production.bak-"));
  return { envPath, command, restarts, backups };
}

describe("the delivery script over a real sshd", () => {
  it("never carries the env block in its command line", () => {
    const { command } = instance("");
    expect(command).not.toContain(SECRET);
    expect(command).not.toContain("AKIANEWKEY");
  });

  for (const fixture of MERGE_FIXTURES) {
    it(`merges like the pure function: ${fixture.name}`, async () => {
      const { envPath, command, restarts, backups } = instance(fixture.before);
      const run = await sshd.run(command, BLOCK);
      expect(run.stderr).toBe("");
      expect(run.code).toBe(0);
      const after = readFileSync(envPath, "latin1");
      expect(after).toBe(mergeEnvBlock(fixture.before, BLOCK).text);
      expect(after).toBe(fixture.after);
      // Backed up with a dated suffix, byte for byte; owner-only mode kept; restarted once.
      expect(backups()).toHaveLength(1);
      expect(backups()[0]).toMatch(/^\.env\.production\.bak-\d{8}T\d{6}Z$/);
      expect(readFileSync(path.join(live, backups()[0] as string), "latin1")).toBe(fixture.before);
      expect(statSync(envPath).mode & 0o777).toBe(0o600);
      expect(restarts()).toBe(1);
      // The diff is printed with the secret masked.
      expect(run.stdout).toMatch(/\+(export )?AWS_SECRET_ACCESS_KEY=\[secret\]/);
      expect(run.stdout).toMatch(/\+(export )?S3_BUCKET=social-media/);
      expect(run.stdout).not.toContain(SECRET);
      expect(run.stdout).not.toContain("oldsecret");
      expect(run.stdout).toContain("mastodon-media: restarted");
    });
  }

  it("changes nothing and restarts nothing when the block is already there", async () => {
    const { envPath, command, restarts, backups } = instance(MERGE_FIXTURES[0]!.after);
    const run = await sshd.run(command, BLOCK);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("already holds this block: nothing changed, nothing restarted");
    expect(readFileSync(envPath, "utf8")).toBe(MERGE_FIXTURES[0]!.after);
    expect(backups()).toEqual([]);
    expect(restarts()).toBe(0);
  });

  it("refuses a missing env file and an empty standard input, changing nothing", async () => {
    const missing = remoteCommand({
      envPath: path.join(sshd.dir, "nowhere/.env.production"),
      restart: { kind: "none" },
    });
    const run = await sshd.run(missing, BLOCK);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/nowhere\/\.env\.production does not exist: set mastodonHost\.envPath/);

    const { envPath, command, backups } = instance("LOCAL_DOMAIN=social.example.com\n");
    const empty = await sshd.run(command, "");
    expect(empty.code).toBe(1);
    expect(empty.stderr).toMatch(/no env block on standard input/);
    expect(readFileSync(envPath, "utf8")).toBe("LOCAL_DOMAIN=social.example.com\n");
    expect(backups()).toEqual([]);
  });

  it("puts the previous env back when the restart fails, keeps the backup, and says Mastodon may be down", async () => {
    const { envPath, backups } = instance("LOCAL_DOMAIN=social.example.com\n");
    const command = remoteCommand({
      envPath,
      restart: { kind: "command", command: "echo unit not found >&2; exit 5" },
    });
    const run = await sshd.run(command, BLOCK);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(
      /the restart failed with the new env and again with the previous one, which is back in .*\.env\.production \(backup kept: .*\.env\.production\.bak-\d{8}T\d{6}Z\): Mastodon may be down/,
    );
    expect(readFileSync(envPath, "utf8")).toBe("LOCAL_DOMAIN=social.example.com\n");
    expect(backups()).toHaveLength(1);
  });

  it("puts the previous env back and restarts with it when only the new env fails to start", async () => {
    const { envPath, restarts } = instance("LOCAL_DOMAIN=social.example.com\n");
    // The stand-in restart fails while the env holds the new block, as a Mastodon that cannot boot with it.
    const restartLog = path.join(live, "restarts.log");
    const command = remoteCommand({
      envPath,
      restart: { kind: "command", command: `echo restarted >> '${restartLog}'; ! grep -q social-media '${envPath}'` },
    });
    const run = await sshd.run(command, BLOCK);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/the previous env is back in .*\.env\.production and Mastodon was restarted with it/);
    expect(readFileSync(envPath, "utf8")).toBe("LOCAL_DOMAIN=social.example.com\n");
    expect(restarts()).toBe(2);
  });

  it("with restart none, names the restart to run by hand", async () => {
    const { envPath } = instance("");
    const run = await sshd.run(remoteCommand({ envPath, restart: { kind: "none" } }), BLOCK);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(
      "restart: none. Restart Mastodon yourself, e.g. sudo systemctl restart mastodon-web mastodon-sidekiq mastodon-streaming",
    );
  });

  it("left no secret in sshd's log", () => {
    expect(sshd.log()).not.toContain(SECRET);
  });
});

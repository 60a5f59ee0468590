import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { runDoctorCommand } from "../../helpers/command";

const ROOT = path.resolve(__dirname, "../../..");
const CASE = path.join(ROOT, "test/fixtures/cases/envs/case09-r2-raw-token-value.env");

function npm(args: string[]) {
  return spawnSync("npm", args, {
    cwd: ROOT,
    encoding: "utf8",
    env: { ...process.env, npm_config_update_notifier: "false" },
  });
}

describe("npm run doctor", () => {
  it("prints findings, exits 1, and never prints the secret", async () => {
    const run = await runDoctorCommand(["--env", CASE]);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain("ERROR AWS_SECRET_ACCESS_KEY:");
    expect(run.stdout + run.stderr).not.toContain("Xq3rExampleRawTokenValue");
  });

  // Through npm itself, as users run it: npm's banner goes to standard output unless --silent.
  it("gives parseable JSON through npm with --silent, and into a file without it", () => {
    const silent = npm(["run", "--silent", "doctor", "--", "--env", CASE, "--json"]);
    expect(JSON.parse(silent.stdout)).toMatchObject({ ok: false, exitCode: 1, provider: { id: "r2" } });
    const file = path.join(mkdtempSync(path.join(tmpdir(), "doctor-")), "report.json");
    const banner = npm(["run", "doctor", "--", "--env", CASE, "--json", file]);
    expect(banner.status).toBe(1);
    expect(JSON.parse(readFileSync(file, "utf8")).findings[0].id).toBe("r2-secret-raw-token");
  });

  it("exits 2 on unusable input, naming the line and never its text", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "doctor-"));
    const env = path.join(dir, "env");
    writeFileSync(env, "S3_ENABLED=true\nwJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY\n");
    const run = await runDoctorCommand(["--env", env]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("line 2:");
    // doctor never writes anything: it does not claim to have spared the server.
    expect(run.stderr).toContain("doctor's input has 1 problem; nothing was diagnosed:");
    expect(run.stderr).not.toContain("wJalr");
    const bogus = await runDoctorCommand(["--bogus"]);
    expect(bogus.code).toBe(2);
    expect(bogus.stderr).toContain("doctor: ");
  });
});

import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { ROOT, statuses, verifyJson } from "./verify-cli";

const run = promisify(execFile);
const LAB_DIR = path.join(mkdtempSync(path.join(tmpdir(), "lab-test-")), "lab");

afterAll(async () => {
  await run("bash", [path.join(ROOT, "scripts/lab.sh"), "stop"], { cwd: ROOT, env: { ...process.env, LAB_DIR } }).catch(
    () => undefined,
  );
});

describe("npm run lab", () => {
  it("leaves a ready local storage and an env file that verify passes, and stop removes it", async () => {
    const started = await run("bash", [path.join(ROOT, "scripts/lab.sh"), "start"], {
      cwd: ROOT,
      env: { ...process.env, LAB_DIR },
    });
    const envFile = path.join(LAB_DIR, "lab.env");
    expect(started.stdout).toContain(`npm run verify -- --env ${envFile}`);
    expect(statSync(envFile).mode & 0o777).toBe(0o600);
    const env = readFileSync(envFile, "utf8");
    const secret = /^AWS_SECRET_ACCESS_KEY=(.+)$/m.exec(env)?.[1] ?? "";
    expect(secret.length).toBeGreaterThan(20);
    expect(started.stdout + started.stderr).not.toContain(secret);

    const verified = await verifyJson(env);
    expect(verified.code).toBe(0);
    expect(
      Object.values(statuses(verified.report)).filter((status) => status === "fail" || status === "inconclusive"),
    ).toEqual([]);

    await run("bash", [path.join(ROOT, "scripts/lab.sh"), "stop"], { cwd: ROOT, env: { ...process.env, LAB_DIR } });
    expect(existsSync(LAB_DIR)).toBe(false);
  });
});

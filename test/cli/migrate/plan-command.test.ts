import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { planCommandLines } from "../../../cli/migrate/plan-command";
import { copyCommands, describeCommand, type CopySource } from "../../../cli/migrate/rclone";
import { forRcloneVersion, parseRcloneVersion, type RcloneVersion } from "../../../cli/migrate/rclone-version";
import type { VerifyTarget } from "../../../mastodon-env/target";
import { runMigrateCommand } from "../../helpers/command";
import { AWS_ENV, envText, targetOf } from "../../helpers/target";

/**
 * The plan's "What it runs" (cli/migrate/plan-command.ts) is the command `migrate --run` runs on the rclone on
 * PATH: on rclone 1.68+ the front's remote gets use_unsigned_payload, on 1.72+ no data-integrity checksums
 * (cli/migrate/rclone-version.ts). Was: the plan always printed the command without them, so an admin who
 * typed the plan's command on rclone 1.75 ran another command than --run.
 */

const version = (text: string): RcloneVersion => parseRcloneVersion(`rclone ${text}\n`)!;
const ROOT = "/home/mastodon/live/public/system";
const LOCAL: CopySource = { kind: "local", root: ROOT };
const NO_ACL = targetOf(AWS_ENV);
const WITH_ACL = targetOf({
  ...AWS_ENV,
  S3_PERMISSION: "public-read",
  S3_ENDPOINT: "https://nyc3.digitaloceanspaces.com",
  S3_HOSTNAME: "nyc3.digitaloceanspaces.com",
  S3_REGION: "nyc3",
});
const FILES = { media: "<keys to copy>", private: "<keys to copy privately>" };
const UNSIGNED = "RCLONE_CONFIG_DST_USE_UNSIGNED_PAYLOAD=true";
const NO_CHECKSUMS = "RCLONE_CONFIG_DST_USE_DATA_INTEGRITY_PROTECTIONS=false";

/** What run.ts ran before the plan and the run shared a function: copyCommands, then forRcloneVersion. */
function runCommandOn(target: VerifyTarget, on: RcloneVersion): string[] {
  return copyCommands(LOCAL, target, { noHead: true, filesFrom: FILES }).map((command) =>
    describeCommand(forRcloneVersion(command, on)),
  );
}

function printedCommands(lines: string[]): string[] {
  return lines.filter((line) => line.includes(" rclone copy ")).map((line) => line.trim());
}

describe("the plan's rclone command (cli/migrate/plan-command.ts)", () => {
  it("is the command --run runs on the rclone on PATH, 1.75.2: the front's remote with both settings", () => {
    const lines = planCommandLines(LOCAL, NO_ACL, version("v1.75.2"));
    expect(printedCommands(lines)).toEqual(runCommandOn(NO_ACL, version("v1.75.2")));
    expect(printedCommands(lines)[0]).toContain(`${UNSIGNED} ${NO_CHECKSUMS} rclone copy`);
    expect(lines).toContain(
      "Shaped for rclone v1.75.2, the rclone on PATH here. --run reads `rclone version` where it runs; what it adds to DST by rclone line:",
    );
    // The table holds names and values of settings, never a credential.
    expect(lines.join("\n")).not.toContain(AWS_ENV.AWS_SECRET_ACCESS_KEY);
    expect(lines.join("\n")).not.toContain(AWS_ENV.AWS_ACCESS_KEY_ID);
  });

  it("shows that a local source's symbolic links are followed (--copy-links), on every rclone line", () => {
    for (const on of [version("v1.60.1-DEV"), version("v1.75.2"), undefined])
      for (const command of printedCommands(planCommandLines(LOCAL, WITH_ACL, on)))
        expect(command).toContain(" --copy-links ");
  });

  it("on rclone 1.68 to 1.71 only the unsigned payload; on 1.60 neither", () => {
    expect(printedCommands(planCommandLines(LOCAL, NO_ACL, version("v1.70.3")))[0]).toContain(UNSIGNED);
    expect(printedCommands(planCommandLines(LOCAL, NO_ACL, version("v1.70.3")))[0]).not.toContain(NO_CHECKSUMS);
    expect(printedCommands(planCommandLines(LOCAL, NO_ACL, version("v1.60.1-DEV")))).toEqual(
      runCommandOn(NO_ACL, version("v1.60.1-DEV")),
    );
  });

  it("without rclone on PATH: shaped for 1.59 to 1.67, and says what --run adds on each later line", () => {
    const lines = planCommandLines(LOCAL, NO_ACL, undefined);
    expect(printedCommands(lines)[0]).not.toContain("USE_UNSIGNED_PAYLOAD");
    expect(lines).toContain(
      "Shaped for rclone 1.59 to 1.67: no rclone on PATH here (--run installs Debian's package when rclone is missing). --run reads `rclone version` where it runs; what it adds to DST by rclone line:",
    );
    expect(lines.slice(-3)).toEqual([
      "  rclone 1.59 to 1.67: nothing",
      `  rclone 1.68 to 1.71: ${UNSIGNED}`,
      `  rclone 1.72 or newer: ${UNSIGNED} ${NO_CHECKSUMS}`,
    ]);
  });

  it("an rclone --run refuses is named as such, and the command is not shaped for it", () => {
    const lines = planCommandLines(LOCAL, NO_ACL, version("v1.58.1"));
    expect(lines.join("\n")).toContain(
      "the rclone on PATH here is v1.58.1, which --run refuses (install rclone 1.59 or newer)",
    );
    expect(printedCommands(lines)).toEqual(runCommandOn(NO_ACL, version("v1.59.0")));
  });

  it("in object-ACL mode (no front) no setting depends on the version, and the plan says so", () => {
    const lines = planCommandLines(LOCAL, WITH_ACL, version("v1.75.2"));
    expect(printedCommands(lines)).toEqual(runCommandOn(WITH_ACL, version("v1.75.2")));
    expect(printedCommands(lines)).toHaveLength(2);
    expect(lines.join("\n")).not.toContain("USE_UNSIGNED_PAYLOAD");
    expect(lines.at(-1)).toBe(
      "Shaped for rclone v1.75.2, the rclone on PATH here: without the front no setting depends on rclone's version.",
    );
  });
});

describe("npm run migrate without --run reads the rclone on PATH", { timeout: 60_000 }, () => {
  let dir: string;
  const path0 = process.env.PATH;
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), "migrate-plan-rclone-"));
    writeFileSync(path.join(dir, "new.env"), envText(AWS_ENV), { mode: 0o600 });
  });
  afterAll(() => {
    process.env.PATH = path0;
    rmSync(dir, { recursive: true, force: true });
  });

  function onPath(text: string | undefined): void {
    const bin = path.join(dir, `bin-${text ?? "none"}`);
    mkdirSync(bin, { recursive: true });
    // A stand-in that answers `rclone version` as that rclone does (the plan runs nothing else).
    if (text) {
      writeFileSync(path.join(bin, "rclone"), `#!/bin/sh\necho "rclone ${text}"\necho "- os/version: debian"\n`);
      chmodSync(path.join(bin, "rclone"), 0o755);
    }
    process.env.PATH = text ? `${bin}:${path0}` : bin;
  }

  /** migrate (no --run) from the local tree ROOT into new.env, with the rclone onPath put there. */
  const planFromRoot = () => runMigrateCommand(["--from", `local:${ROOT}`, "--to-env", path.join(dir, "new.env")]);

  it("rclone 1.75.2 on PATH: step 2 prints the command --run runs on it", async () => {
    onPath("v1.75.2");
    const { code, stdout } = await planFromRoot();
    expect(code).toBe(0);
    expect(stdout).toContain(`    ${runCommandOn(NO_ACL, version("v1.75.2"))[0]}\n`);
    expect(stdout).toContain("Shaped for rclone v1.75.2, the rclone on PATH here.");
    expect(stdout).not.toContain(AWS_ENV.AWS_SECRET_ACCESS_KEY);
  });

  it("no rclone on PATH: the command for 1.59 to 1.67 and the settings of later lines", async () => {
    onPath(undefined);
    const { code, stdout } = await planFromRoot();
    expect(code).toBe(0);
    expect(stdout).toContain("Shaped for rclone 1.59 to 1.67: no rclone on PATH here");
    expect(stdout).toContain(`    rclone 1.72 or newer: ${UNSIGNED} ${NO_CHECKSUMS}\n`);
  });
});

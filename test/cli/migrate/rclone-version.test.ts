import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { frontRemoteProvider } from "../../../cli/migrate/front-provider";
import { copyCommands } from "../../../cli/migrate/rclone";
import {
  forRcloneVersion,
  frontRemoteOptions,
  parseRcloneVersion,
  rcloneVersionProblem,
  type RcloneVersion,
} from "../../../cli/migrate/rclone-version";
import { targetOf } from "../../helpers/target";
import { migrateCli } from "../../helpers/migrate-cli";

const version = (text: string): RcloneVersion =>
  parseRcloneVersion(`rclone ${text}\n- os/version: debian 12.11 (64 bit)\n`)!;

describe("rclone versions (cli/migrate/rclone-version.ts)", () => {
  it("reads `rclone version` as Debian's and rclone.org's builds print it", () => {
    expect(version("v1.60.1-DEV")).toEqual({ text: "v1.60.1-DEV", major: 1, minor: 60, patch: 1 });
    expect(version("v1.75.2")).toEqual({ text: "v1.75.2", major: 1, minor: 75, patch: 2 });
    expect(parseRcloneVersion("restic 0.16.4 compiled with go1.21")).toBeUndefined();
  });

  it("refuses the lines that upload through presigned URLs, in one line naming the version and the fix", () => {
    expect(rcloneVersionProblem(version("v1.58.1"))).toBe(
      "rclone v1.58.1 uploads through presigned URLs, which migrate's front cannot pass on: install rclone 1.59 or newer (Debian 12's rclone, or the current release from rclone.org)",
    );
    for (const ok of ["v1.59.0", "v1.60.1-DEV", "v1.68.0", "v1.75.2", "v2.0.0"])
      expect(rcloneVersionProblem(version(ok))).toBeUndefined();
  });

  it("gives the front's remote an unsigned payload from 1.68 (aws-sdk-go-v2) and no checksums from 1.72", () => {
    expect(frontRemoteOptions(version("v1.60.1-DEV"))).toEqual({});
    expect(frontRemoteOptions(version("v1.67.0"))).toEqual({});
    expect(frontRemoteOptions(version("v1.68.0"))).toEqual({ use_unsigned_payload: "true" });
    expect(frontRemoteOptions(version("v1.75.2"))).toEqual({
      use_unsigned_payload: "true",
      use_data_integrity_protections: "false",
    });
  });

  it("sets them on passes through the front only; a pass straight at the target keeps rclone's provider defaults", () => {
    const target = (permission: string) =>
      targetOf({
        S3_ENABLED: "true",
        S3_BUCKET: "media",
        S3_REGION: "us-east-1",
        S3_ENDPOINT: "https://nyc3.digitaloceanspaces.com",
        S3_HOSTNAME: "nyc3.digitaloceanspaces.com",
        S3_PERMISSION: permission,
        AWS_ACCESS_KEY_ID: "AK",
        AWS_SECRET_ACCESS_KEY: "SK",
      });
    const [front] = copyCommands({ kind: "local", root: "/srv" }, target(""));
    expect(forRcloneVersion(front!, version("v1.75.2")).env).toMatchObject({
      RCLONE_CONFIG_DST_USE_UNSIGNED_PAYLOAD: "true",
      RCLONE_CONFIG_DST_USE_DATA_INTEGRITY_PROTECTIONS: "false",
    });
    for (const direct of copyCommands({ kind: "local", root: "/srv" }, target("public-read"))) {
      expect(forRcloneVersion(direct, version("v1.75.2"))).toBe(direct);
    }
  });

  it("names a path-style provider on the front's remote, with the target provider's listing and ETag quirks", () => {
    expect(frontRemoteProvider("AWS")).toEqual({
      provider: "Other",
      list_version: "2",
      list_url_encode: "true",
      use_multipart_etag: "true",
      might_gzip: "false",
    });
    expect(frontRemoteProvider("DigitalOcean")).toMatchObject({ provider: "Other", list_url_encode: "false" });
    expect(frontRemoteProvider("Cloudflare")).toEqual({ provider: "Cloudflare" });
    expect(frontRemoteProvider("Other")).toEqual({ provider: "Other" });
  });
});

describe("npm run migrate --run with an rclone that is too old", () => {
  const dir = mkdtempSync(path.join(tmpdir(), "rclone-version-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("stops before copying, exit 2, with the one line and no stack trace", async () => {
    const bin = path.join(dir, "bin");
    mkdirSync(bin);
    // A stand-in that answers `rclone version` as rclone 1.58 does, and fails the test if a copy is started.
    writeFileSync(
      path.join(bin, "rclone"),
      `#!/bin/sh\nif [ "$1" = version ]; then echo "rclone v1.58.1"; exit 0; fi\necho "copy started" >&2; exit 99\n`,
    );
    chmodSync(path.join(bin, "rclone"), 0o755);
    mkdirSync(path.join(dir, "system", "media_attachments"), { recursive: true });
    const envFile = path.join(dir, "new.env");
    writeFileSync(
      envFile,
      "S3_ENABLED=true\nS3_BUCKET=media\nS3_REGION=us-east-1\nS3_ENDPOINT=http://127.0.0.1:9\nS3_HOSTNAME=127.0.0.1:9\nS3_PROTOCOL=http\nS3_PERMISSION=\nAWS_ACCESS_KEY_ID=AK\nAWS_SECRET_ACCESS_KEY=SK\n",
      { mode: 0o600 },
    );
    const run = await migrateCli(["--from", `local:${path.join(dir, "system")}`, "--to-env", envFile, "--run"], {
      ...process.env,
      PATH: `${bin}:${process.env.PATH}`,
    });
    expect(run.stderr + run.stdout).toContain(
      "rclone v1.58.1 uploads through presigned URLs, which migrate's front cannot pass on: install rclone 1.59 or newer",
    );
    expect(run.stderr + run.stdout).not.toContain("copy started");
    expect(run.stderr).not.toMatch(/\n\s+at /);
    expect(run.code).toBe(2);
  });
});

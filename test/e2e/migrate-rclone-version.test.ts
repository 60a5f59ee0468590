import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { GetObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AclFront } from "../../s3-front/acl-front";
import { rcloneEnvironment, withFront } from "../../cli/migrate/copy";
import { copyCommands, remoteEnv, type RcloneCommand } from "../../cli/migrate/rclone";
import {
  forRcloneVersion,
  frontRemoteOptions,
  readRcloneVersion,
  type RcloneVersion,
} from "../../cli/migrate/rclone-version";
import type { VerifyTarget } from "../../mastodon-env/target";
import { targetOfText } from "../helpers/target";
import { prefixedMediaBucket } from "./media-bucket";
import { localEnv, serversFromEnv, type Servers, type Writer } from "./server";

/**
 * What each rclone line does differently, run with the rclone first on PATH: scripts/e2e.sh runs this file
 * (and every migrate e2e file) once with Debian 12's rclone 1.60 and once with Debian unstable's current line
 * (scripts/debian-unstable.sh). The settings under test are cli/migrate/rclone-version.ts's.
 */

const PREFIX = "social";
let servers: Servers;
let bucket: string;
let dir: string;
let version: RcloneVersion;

function atLeast(major: number, minor: number): boolean {
  return version.major > major || (version.major === major && version.minor >= minor);
}

function runRclone(command: RcloneCommand, extra: string[] = []): Promise<{ code: number; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn("rclone", [...command.args, ...extra], {
      env: rcloneEnvironment(command),
      stdio: ["ignore", "ignore", "pipe"],
    });
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code: code ?? 1, stderr }));
  });
}

/** A one-file tree; a new key prefix for each test, so that each copy goes into an empty prefix. */
function oneFile(name: string): string {
  const root = path.join(dir, name);
  const file = path.join(root, "media_attachments/files/000/000/001/original", `${name}.jpg`);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, `bytes of ${name}`);
  return root;
}

function targetUnder(prefix: string): VerifyTarget {
  return targetOfText(localEnv(servers.primary, bucket, writer, prefix));
}

let writer: Writer;

/** An object as the writer reads it (it owns the objects rclone uploaded; the bucket's owner may not read them). */
async function writerBody(key: string): Promise<string> {
  const client = new S3Client({
    endpoint: servers.primary.endpoint,
    region: "us-east-1",
    forcePathStyle: true,
    credentials: { accessKeyId: writer.accessKeyId, secretAccessKey: writer.secretAccessKey },
  });
  try {
    const answer = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    return await answer.Body!.transformToString();
  } finally {
    client.destroy();
  }
}

beforeAll(async () => {
  servers = serversFromEnv();
  // The planned writer policy: objects under PREFIX/ only, so a HEAD of the key PREFIX itself is refused (403).
  ({ bucket, writer } = await prefixedMediaBucket(servers.primary, "rclone-version", PREFIX));
  dir = mkdtempSync(path.join(tmpdir(), "rclone-version-e2e-"));
  const read = await readRcloneVersion();
  if (!read) throw new Error("`rclone version` printed no version");
  version = read;
  console.log(`rclone on PATH: ${version.text}`);
}, 120_000);

afterAll(() => {
  servers?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe(`rclone's version-dependent behaviour (the rclone first on PATH)`, () => {
  it("a prefix path without a trailing slash: 1.75+ takes the empty prefix a writer may not HEAD for a file; with the slash every line copies", async () => {
    const prefixTarget = targetUnder(`${PREFIX}/slash-probe`);
    const root = oneFile("probe");
    const [planned] = copyCommands({ kind: "local", root }, prefixTarget);
    // Straight at RGW (ACL mode's way: no front), the remote path as migrate wrote it before: no trailing slash.
    const direct = { ...planned!, env: remoteEnv("DST", prefixTarget, "private") };
    const noSlash = { ...direct, args: direct.args.map((arg) => arg.replace(/^dst:(.*)\/$/, "dst:$1")) };
    expect(noSlash.args[2]).toBe(`dst:${bucket}/${PREFIX}/slash-probe`);
    const before = await runRclone(noSlash);
    if (atLeast(1, 75)) {
      expect(before.code).not.toBe(0);
      expect(before.stderr).toContain(
        `Failed to create file system for \\"dst:${bucket}/${PREFIX}/slash-probe\\": is a file not a directory`,
      );
    } else if (atLeast(1, 72)) {
      // 1.72-1.74: the probe's 403 itself is fatal (rclone#8975).
      expect(before.code).not.toBe(0);
    } else {
      expect(before.code, before.stderr).toBe(0);
    }
    // As migrate writes it now.
    expect(direct.args[2]).toBe(`dst:${bucket}/${PREFIX}/slash-probe/`);
    const after = await runRclone(direct);
    expect(after.code, after.stderr).toBe(0);
    expect(await writerBody(`${PREFIX}/slash-probe/media_attachments/files/000/000/001/original/probe.jpg`)).toBe(
      "bytes of probe",
    );
  });

  it("an AWS target through the front: rclone's AWS addressing and payload defaults fail there; the front's remote settings copy on every line", async () => {
    // The front is plain http on loopback before RGW. An AWS target (no S3_ENDPOINT) is what the product plans
    // differently: the same target without its endpoint gives the DST remote migrate writes for AWS.
    const rgwTarget = targetUnder(`${PREFIX}/as-aws`);
    const awsTarget: VerifyTarget = { ...rgwTarget, facts: { ...rgwTarget.facts, endpoint: undefined } };
    const root = oneFile("aws");
    const [planned] = copyCommands({ kind: "local", root }, awsTarget);
    expect(planned!.aclFront).toBe(awsTarget);
    const retries = ["--retries", "1", "--low-level-retries", "1"];
    const front = await AclFront.start(rgwTarget);
    try {
      const product = withFront(forRcloneVersion(planned!, version), front);
      expect(product.env.RCLONE_CONFIG_DST_PROVIDER).toBe("Other");
      // As migrate wrote the remote before: provider AWS, and no version settings.
      const before = await runRclone(
        { ...product, env: { ...withFront(planned!, front).env, RCLONE_CONFIG_DST_PROVIDER: "AWS" } },
        retries,
      );
      expect(before.code, "rclone's AWS defaults pass through the front").not.toBe(0);
      if (atLeast(1, 68)) expect(before.stderr).toContain("failed to compute payload hash");
      // rclone 1.60 (aws-sdk-go v1) puts the bucket in the host name whatever force_path_style says.
      if (!atLeast(1, 68)) expect(before.stderr).toContain(`${bucket}.127.0.0.1`);
      const after = await runRclone(product, retries);
      expect(after.code, after.stderr).toBe(0);
    } finally {
      await front.close();
    }
    expect(await writerBody(`${PREFIX}/as-aws/media_attachments/files/000/000/001/original/aws.jpg`)).toBe(
      "bytes of aws",
    );
  });

  it("provider AWS on the front's remote with 1.68+: a signed payload hash the front cannot make; the version's settings send it unsigned", async () => {
    const rgwTarget = targetUnder(`${PREFIX}/unsigned`);
    const root = oneFile("unsigned");
    const [planned] = copyCommands({ kind: "local", root }, rgwTarget);
    const retries = ["--retries", "1", "--low-level-retries", "1"];
    const front = await AclFront.start(rgwTarget);
    try {
      // rclone 1.75 with provider AWS reaches a path-style IP endpoint (aws-sdk-go-v2), so its payload defaults show.
      const asAws = (command: RcloneCommand) => ({
        ...command,
        env: { ...command.env, RCLONE_CONFIG_DST_PROVIDER: "AWS" },
      });
      if (atLeast(1, 68)) {
        expect(frontRemoteOptions(version)).toMatchObject({ use_unsigned_payload: "true" });
        const plain = await runRclone(asAws(withFront(planned!, front)), retries);
        expect(plain.code, "rclone's AWS payload defaults pass through the front").not.toBe(0);
        // aws-sdk-go-v2 over plain http hashes the body for the signature, and rclone's upload stream cannot seek.
        expect(plain.stderr).toContain(
          "failed to compute payload hash: failed to seek body to start, request stream is not seekable",
        );
        const set = await runRclone(asAws(withFront(forRcloneVersion(planned!, version), front)), retries);
        expect(set.code, set.stderr).toBe(0);
        expect(await writerBody(`${PREFIX}/unsigned/media_attachments/files/000/000/001/original/unsigned.jpg`)).toBe(
          "bytes of unsigned",
        );
      } else {
        expect(frontRemoteOptions(version)).toEqual({});
      }
    } finally {
      await front.close();
    }
  });

  it("uploads through presigned URLs (rclone before 1.59, and --s3-use-presigned-request) fail through the front: why older lines are refused", async () => {
    const presignedTarget = targetUnder(`${PREFIX}/presigned`);
    const root = oneFile("presigned");
    const [planned] = copyCommands({ kind: "local", root }, presignedTarget);
    const front = await AclFront.start(presignedTarget);
    try {
      const result = await runRclone(withFront(forRcloneVersion(planned!, version), front), [
        "--s3-use-presigned-request",
        "--retries",
        "1",
        "--low-level-retries",
        "1",
      ]);
      expect(result.code).not.toBe(0);
      expect(front.stats.refused).toBeGreaterThan(0);
    } finally {
      await front.close();
    }
  });
});

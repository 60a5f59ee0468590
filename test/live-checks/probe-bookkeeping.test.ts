import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import * as https from "node:https";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import * as path from "node:path";
import * as tls from "node:tls";
import { S3Client } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { selfSignedCertificate } from "../helpers/tls";
import { uploadLikeMastodon } from "../../live-checks/upload";
import { diagnoseNetwork } from "../../live-checks/diagnose";
import { certificateNames } from "../../live-checks/io/tls";
import { errorCode } from "../../live-checks/io/http";
import { buildReport, renderSummary } from "../../live-checks/report";
import { context } from "../helpers/verify-fakes";

/**
 * verify's bookkeeping when the first upload never reaches the server (issue #20: "Probes: 0 created, -2 removed"),
 * and the TLS causes named precisely, each with a real server on loopback and Node's own errors: a self-signed
 * certificate, a closed port, and a storage provider's wildcard certificate served for a custom name.
 */
let dir: string;
let selfSigned: https.Server;
let port: number;
let closedPort: number;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), "verify-bookkeeping-"));
  selfSignedCertificate(dir, { commonName: "storage.internal", days: 2 });
  // The certificate an S3 bucket host serves: a wildcard for the provider's own names only.
  selfSignedCertificate(dir, {
    commonName: "*.s3.eu-central-1.amazonaws.com",
    altNames: ["*.s3.eu-central-1.amazonaws.com", "s3.eu-central-1.amazonaws.com"],
    days: 2,
    base: "s3",
  });
  selfSigned = https.createServer(
    { key: readFileSync(path.join(dir, "key.pem")), cert: readFileSync(path.join(dir, "cert.pem")) },
    (_req, res) => res.end("ok"),
  );
  port = await new Promise((resolve) =>
    selfSigned.listen(0, "127.0.0.1", () => resolve((selfSigned.address() as AddressInfo).port)),
  );
  const probe = https.createServer();
  closedPort = await new Promise((resolve) =>
    probe.listen(0, "127.0.0.1", () => resolve((probe.address() as AddressInfo).port)),
  );
  await new Promise((resolve) => probe.close(resolve));
}, 30_000);

afterAll(() => {
  selfSigned?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function client(endpoint: string): S3Client {
  return new S3Client({
    region: "us-east-1",
    endpoint,
    forcePathStyle: true,
    credentials: { accessKeyId: "k", secretAccessKey: "s" },
    maxAttempts: 1,
  });
}

describe("the probes verify counts are the ones that exist", () => {
  for (const [name, endpoint] of [
    ["a self-signed certificate", () => `https://127.0.0.1:${port}`],
    ["a closed port", () => `https://127.0.0.1:${closedPort}`],
  ] as const) {
    it(`an upload refused by ${name} created nothing: 0 created, 0 removed, nothing to delete by hand`, async () => {
      const { ctx, probes } = context({});
      const s3 = client(endpoint());
      const key = probes.key("media_attachments/", "probe.txt");
      await expect(
        uploadLikeMastodon(ctx, { key, body: Buffer.from("probe\n"), acl: undefined, s3 }),
      ).rejects.toBeDefined();
      expect(probes.pending().keys).toEqual([]);
      const leftover = await probes.removeAll(s3, (t) => t);
      s3.destroy();
      expect(leftover).toEqual([]);
      const report = buildReport({
        target: ctx.target,
        origin: ctx.origin,
        checks: [],
        created: probes.created,
        removed: probes.removedCount,
        leftover,
        interrupted: false,
        durationMs: 1,
      });
      expect(renderSummary(report)).toContain("Probes: 0 created, 0 removed.");
      expect(renderSummary(report)).not.toContain("delete them by hand");
    });
  }
});

describe("TLS causes are named precisely", () => {
  it("a self-signed certificate on a private endpoint is named with how to trust it", async () => {
    const error = await new Promise<Error>((resolve) => {
      const socket = tls.connect({ host: "127.0.0.1", port, rejectUnauthorized: true });
      socket.once("error", resolve);
    });
    const diagnosis = diagnoseNetwork(errorCode(error), "S3_ENDPOINT", { host: "127.0.0.1" });
    expect(diagnosis?.cause).toContain("private endpoint 127.0.0.1 serves a self-signed certificate");
    expect(diagnosis?.fix).toContain("update-ca-certificates");
    expect(diagnosis?.fix).toContain("NODE_EXTRA_CA_CERTS");
    expect(diagnosis?.transient).toBe(false);
    // On the public media host it stays what it was: a certificate browsers reject.
    expect(diagnoseNetwork(errorCode(error), "S3_ALIAS_HOST", { host: "files.example.com" })?.cause).toContain(
      "browsers and other servers reject it",
    );
  });

  it("an alias CNAMEd straight to an S3 bucket host is not 'wait for the certificate'", async () => {
    const server = https.createServer({
      key: readFileSync(path.join(dir, "s3-key.pem")),
      cert: readFileSync(path.join(dir, "s3-cert.pem")),
    });
    const s3Port: number = await new Promise((resolve) =>
      server.listen(0, "127.0.0.1", () => resolve((server.address() as AddressInfo).port)),
    );
    const error = await new Promise<Error>((resolve) => {
      // Trusting the certificate, as browsers trust AWS's: only the name can fail.
      const socket = tls.connect({
        host: "127.0.0.1",
        port: s3Port,
        servername: "files.example.com",
        ca: readFileSync(path.join(dir, "s3-cert.pem")),
      });
      socket.once("error", resolve);
    });
    server.close();
    expect(errorCode(error)).toBe("ERR_TLS_CERT_ALTNAME_INVALID");
    const diagnosis = diagnoseNetwork(errorCode(error), "S3_ALIAS_HOST", {
      host: "files.example.com",
      certNames: certificateNames(error),
    });
    expect(diagnosis?.cause).toContain("points straight at the storage's own host");
    expect(diagnosis?.cause).toContain("*.s3.eu-central-1.amazonaws.com");
    expect(diagnosis?.fix).toMatch(/^put a CDN in front of the bucket with a certificate for files\.example\.com/);
    expect(diagnosis?.transient).toBe(false);
    // A certificate for some other name is still the pending-certificate case, worth retrying.
    expect(
      diagnoseNetwork("ERR_TLS_CERT_ALTNAME_INVALID", "S3_ALIAS_HOST", {
        host: "files.example.com",
        certNames: "DNS:other.example.com",
      })?.transient,
    ).toBe(true);
  });
});

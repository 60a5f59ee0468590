import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { getCACertificates, rootCertificates } from "node:tls";
import { afterAll, describe, expect, it } from "vitest";
import { UserError } from "../../components/errors";
import { systemCertificates, trustedCertificates } from "../../s3-front/trusted-ca";

const dir = mkdtempSync(path.join(tmpdir(), "trusted-ca-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("trustedCertificates", () => {
  it("trusts Node's roots and the system's store, as rclone (Go) did, when no CA file is named", () => {
    const ca = trustedCertificates({});
    for (const pem of [...rootCertificates, ...getCACertificates("system")]) expect(ca).toContain(pem);
    expect(trustedCertificates({ AWS_CA_BUNDLE: "" })).toEqual(ca);
    expect(new Set(ca).size).toBe(ca.length);
  });

  it("adds the files of AWS_CA_BUNDLE and SSL_CERT_FILE to Node's roots and the system's store, not instead of the store", () => {
    const a = path.join(dir, "a.pem");
    const b = path.join(dir, "b.pem");
    writeFileSync(a, "-----BEGIN CERTIFICATE-----\nA\n-----END CERTIFICATE-----\n");
    writeFileSync(b, "-----BEGIN CERTIFICATE-----\nB\n-----END CERTIFICATE-----\n");
    const ca = trustedCertificates({ AWS_CA_BUNDLE: a, SSL_CERT_FILE: b });
    expect(ca.slice(-2).map((pem) => pem.split("\n")[1])).toEqual(["A", "B"]);
    // An organisation's CA installed with update-ca-certificates is in the system's store, not in Node's roots.
    const system = systemCertificates();
    expect(system.length).toBeGreaterThan(0);
    for (const pem of system) expect(ca).toContain(pem);
  });

  it("names the variable and the file it cannot read", () => {
    const missing = path.join(dir, "missing.pem");
    expect(() => trustedCertificates({ SSL_CERT_FILE: missing })).toThrow(UserError);
    expect(() => trustedCertificates({ SSL_CERT_FILE: missing })).toThrow(
      `SSL_CERT_FILE=${missing}: cannot read the certificate file`,
    );
  });
});

import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { rootCertificates } from "node:tls";
import { afterAll, describe, expect, it } from "vitest";
import { UserError } from "../../components/errors";
import { trustedCertificates } from "../../s3-front/trusted-ca";

const dir = mkdtempSync(path.join(tmpdir(), "trusted-ca-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("trustedCertificates", () => {
  it("is Node's own roots (undefined) when no CA file is named", () => {
    expect(trustedCertificates({})).toBeUndefined();
    expect(trustedCertificates({ AWS_CA_BUNDLE: "" })).toBeUndefined();
  });

  it("adds the files of AWS_CA_BUNDLE and SSL_CERT_FILE to Node's roots", () => {
    const a = path.join(dir, "a.pem");
    const b = path.join(dir, "b.pem");
    writeFileSync(a, "-----BEGIN CERTIFICATE-----\nA\n-----END CERTIFICATE-----\n");
    writeFileSync(b, "-----BEGIN CERTIFICATE-----\nB\n-----END CERTIFICATE-----\n");
    const ca = trustedCertificates({ AWS_CA_BUNDLE: a, SSL_CERT_FILE: b })!;
    expect(ca.length).toBe(rootCertificates.length + 2);
    expect(ca.slice(-2).map((pem) => pem.split("\n")[1])).toEqual(["A", "B"]);
  });

  it("names the variable and the file it cannot read", () => {
    const missing = path.join(dir, "missing.pem");
    expect(() => trustedCertificates({ SSL_CERT_FILE: missing })).toThrow(UserError);
    expect(() => trustedCertificates({ SSL_CERT_FILE: missing })).toThrow(`SSL_CERT_FILE=${missing}: cannot read the certificate file`);
  });
});

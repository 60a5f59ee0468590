import { existsSync, readFileSync } from "node:fs";
import * as tls from "node:tls";
import { UserError } from "../components/errors";

/**
 * The certificates the front trusts as the TLS client rclone used to be. rclone (Go's crypto/x509) trusts the
 * system's store (on Debian /etc/ssl/certs, where `update-ca-certificates` puts an organisation's own CA), and
 * SSL_CERT_FILE; the AWS SDKs add AWS_CA_BUNDLE. Node alone trusts only its bundled Mozilla roots. So: Node's
 * roots, the system's store (`tls.getCACertificates("system")`, Node 22.15 and 23.10 onwards; before that
 * Debian's bundle file /etc/ssl/certs/ca-certificates.crt when present), and the files AWS_CA_BUNDLE and
 * SSL_CERT_FILE name (a self-hosted MinIO's private CA). Each certificate once.
 */
const DEBIAN_BUNDLE = "/etc/ssl/certs/ca-certificates.crt";

export function trustedCertificates(env: NodeJS.ProcessEnv = process.env): string[] {
  const files = (["AWS_CA_BUNDLE", "SSL_CERT_FILE"] as const).filter((name) => env[name]);
  const read = (name: string, file: string) => {
    try {
      return readFileSync(file, "utf8");
    } catch {
      throw new UserError(`${name}=${file}: cannot read the certificate file`);
    }
  };
  return [
    ...new Set([...tls.rootCertificates, ...systemCertificates(), ...files.map((name) => read(name, env[name]!))]),
  ];
}

/** The system's CA store as PEM strings (empty when there is none to read). */
export function systemCertificates(): string[] {
  const getCACertificates = (tls as { getCACertificates?: (type: "system") => string[] }).getCACertificates;
  if (getCACertificates) return getCACertificates("system");
  return existsSync(DEBIAN_BUNDLE) ? [readFileSync(DEBIAN_BUNDLE, "utf8")] : [];
}

import { readFileSync } from "node:fs";
import * as tls from "node:tls";
import { UserError } from "../components/errors";

/**
 * The front is the TLS client rclone used to be: a private CA the admin gave rclone (SSL_CERT_FILE, read by Go)
 * or the AWS SDKs (AWS_CA_BUNDLE) is trusted next to Node's own roots. Undefined (Node's roots) when neither is set.
 */
export function trustedCertificates(env: NodeJS.ProcessEnv = process.env): string[] | undefined {
  const files = (["AWS_CA_BUNDLE", "SSL_CERT_FILE"] as const).filter((name) => env[name]);
  if (files.length === 0) return undefined;
  const read = (name: string, file: string) => {
    try {
      return readFileSync(file, "utf8");
    } catch {
      throw new UserError(`${name}=${file}: cannot read the certificate file`);
    }
  };
  return [...tls.rootCertificates, ...files.map((name) => read(name, env[name]!))];
}

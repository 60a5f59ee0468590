import { spawnSync } from "node:child_process";
import * as path from "node:path";

/**
 * Writes a throwaway self-signed certificate and its key (`BASE-key.pem`, `BASE-cert.pem`, or `key.pem` and
 * `cert.pem` without a base) into `dir` with Debian's openssl, and returns their paths. P-256 keys: an RSA 2048 key
 * took longer than vitest's hook timeout on a loaded 2-core machine. Throws with openssl's own words on failure.
 */
export function selfSignedCertificate(
  dir: string,
  options: { commonName: string; altNames?: string[]; days?: number; base?: string },
): { key: string; cert: string } {
  const prefix = options.base ? `${options.base}-` : "";
  const key = path.join(dir, `${prefix}key.pem`);
  const cert = path.join(dir, `${prefix}cert.pem`);
  const san = options.altNames?.length
    ? ["-addext", `subjectAltName=${options.altNames.map((name) => `DNS:${name}`).join(",")}`]
    : [];
  const result = spawnSync(
    "openssl",
    [
      "req",
      "-x509",
      "-newkey",
      "ec",
      "-pkeyopt",
      "ec_paramgen_curve:prime256v1",
      "-nodes",
      "-days",
      String(options.days ?? 1),
    ].concat(["-subj", `/CN=${options.commonName}`], san, ["-keyout", key, "-out", cert]),
    { encoding: "utf8" },
  );
  if (result.status !== 0) throw new Error(`openssl req failed: ${result.stderr}`);
  return { key, cert };
}

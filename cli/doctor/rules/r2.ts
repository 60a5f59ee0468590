import { isR2SecretShape } from "../../../mastodon-env/providers";
import { finding, type Finding, type Rule } from "../finding";

/**
 * R2's S3 credential is derived from an API token: key id = the token's id (32 hex), secret = the SHA-256 hex digest
 * of the token's value (Cloudflare R2 docs, "Authentication"). The raw value (40 characters of letters and digits)
 * gives SignatureDoesNotMatch/AccessDenied on every call. Only shapes are compared: no value is ever shown.
 */
export const r2Credential: Rule = ({ values, provider }) => {
  if (provider.provider.id !== "r2") return [];
  const found: Finding[] = [];
  const secret = values.get("AWS_SECRET_ACCESS_KEY");
  if (secret && !isR2SecretShape(secret)) {
    // Cloudflare API token values are 40 characters of letters, digits, '-' and '_'.
    const rawToken = /^[A-Za-z0-9_-]{40}$/.test(secret);
    found.push(
      finding(
        "r2-secret-raw-token",
        "error",
        "AWS_SECRET_ACCESS_KEY",
        `AWS_SECRET_ACCESS_KEY ${rawToken ? "has the shape of a raw API token value (40 characters)" : `is not shaped like R2's S3 secret (it has ${secret.length} characters)`}: R2's secret is the SHA-256 hex digest of the token's value (64 lower-case hex characters), and anything else fails every request with SignatureDoesNotMatch or AccessDenied`,
        "write its SHA-256 instead: printf %s 'TOKEN_VALUE' | sha256sum | cut -d' ' -f1 (or copy the \"Secret Access Key\" Cloudflare shows when the token is created)",
        ["writer-upload"],
      ),
    );
  }
  const id = values.get("AWS_ACCESS_KEY_ID");
  if (id && !/^[0-9a-f]{32}$/.test(id) && /^[0-9a-f]{64}$/.test(id)) {
    found.push(
      finding(
        "r2-key-id-shape",
        "error",
        "AWS_ACCESS_KEY_ID",
        "AWS_ACCESS_KEY_ID has the shape of a secret (64 hex characters): the key id and the secret look swapped",
        "swap AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY",
        ["writer-upload"],
      ),
    );
  }
  return found;
};

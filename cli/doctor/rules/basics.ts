import { storageBackend } from "../../../mastodon-env/model";
import { finding, type Rule } from "../finding";

/**
 * S3_ENABLED, S3_BUCKET and the credential (config/initializers/paperclip.rb: `if ENV['S3_ENABLED'] == 'true'`,
 * `bucket: ENV['S3_BUCKET']`; without both keys the AWS SDK falls back to its default chain, an instance role).
 * S3_ENABLED=false (or 0/no/off) is deliberate local storage: an info, like an env without S3_ variables, since
 * paperclip.rb reads no other S3_ variable unless `ENV['S3_ENABLED'] == 'true'`. Any other value (TRUE, yes, 1)
 * reads as meant to enable S3 and is an error.
 */
/** Values that switch object storage off on purpose (any value but `true` does; these say so). */
const DELIBERATELY_OFF = /^(false|0|no|off)$/i;

const MOVE = "to move to object storage, see docs/migrating.md (npm run migrate)";

export const basics: Rule = ({ env, values, provider }) => {
  const found = [];
  const enabled = values.get("S3_ENABLED");
  // paperclip.rb tries S3 first, then OpenStack Swift, then (4.7) Azure: neither of the latter is local disk.
  const backend = storageBackend(values);
  const other = backend === "swift" ? "SWIFT_ENABLED" : backend === "azure" ? "AZURE_ENABLED" : undefined;
  if (other) {
    const backend =
      other === "SWIFT_ENABLED"
        ? "OpenStack Swift (SWIFT_CONTAINER, SWIFT_OBJECT_URL)"
        : "Azure Blob Storage (AZURE_ variables)";
    const ignored =
      enabled !== undefined ? `; S3_ENABLED=${enabled} is not \`true\`, so the S3_ lines are ignored` : "";
    return [
      finding(
        "other-backend",
        "info",
        other,
        `${other}=true: Mastodon stores media in ${backend}, not on the local disk${ignored}; doctor checks only S3 storage`,
        "nothing to check here; to move to S3 storage, see docs/migrating.md",
      ),
    ];
  }
  const leftovers = [...values.keys()].filter((name) => name.startsWith("S3_") && name !== "S3_ENABLED");
  if (enabled === undefined && leftovers.length === 0) {
    return [
      finding(
        "local-storage",
        "info",
        "S3_ENABLED",
        "no S3_ variable: Mastodon stores media on the local disk (public/system); nothing else to check",
        MOVE,
      ),
    ];
  }
  if (enabled !== undefined && DELIBERATELY_OFF.test(enabled.trim())) {
    const ignored =
      leftovers.length > 0
        ? `; the other S3_ lines (${leftovers.join(", ")}) are ignored while S3_ENABLED is not \`true\``
        : "";
    return [
      finding(
        "local-storage",
        "info",
        "S3_ENABLED",
        `S3_ENABLED=${enabled.trim()}: Mastodon stores media on the local disk (public/system)${ignored}; nothing else to check`,
        MOVE,
      ),
    ];
  }
  if (enabled !== "true") {
    found.push(
      finding(
        "s3-not-enabled",
        "error",
        "S3_ENABLED",
        enabled === undefined
          ? "S3_ENABLED is missing: Mastodon ignores every S3_ variable and stores media on the local disk (public/system)"
          : "S3_ENABLED is not exactly `true`: Mastodon compares the string and ignores every S3_ variable, storing media on the local disk",
        "write S3_ENABLED=true",
      ),
    );
    return found;
  }
  if (!env.bucket) {
    found.push(
      finding(
        "bucket-missing",
        "error",
        "S3_BUCKET",
        `S3_BUCKET is ${env.vars.S3_BUCKET.state === "empty" ? "empty" : "missing"}: every upload fails ("Media could not be stored")`,
        "write S3_BUCKET=<your bucket name>",
        ["writer-upload"],
      ),
    );
  }
  const id = env.vars.AWS_ACCESS_KEY_ID.state;
  const secret = env.vars.AWS_SECRET_ACCESS_KEY.state;
  if (id !== "set" || secret !== "set") {
    const missing = [
      id !== "set" ? "AWS_ACCESS_KEY_ID" : undefined,
      secret !== "set" ? "AWS_SECRET_ACCESS_KEY" : undefined,
    ]
      .filter(Boolean)
      .join(" and ");
    found.push(
      finding(
        "credentials-missing",
        provider.provider.id === "aws" ? "warning" : "error",
        missing,
        `${missing} ${missing.includes(" and ") ? "are" : "is"} missing or empty: the AWS SDK then looks for an instance or task role, which exists only on AWS compute; elsewhere every upload fails`,
        "write the writer's key pair: AWS_ACCESS_KEY_ID=... and AWS_SECRET_ACCESS_KEY=...",
        ["writer-upload"],
      ),
    );
  }
  const signature = values.get("S3_SIGNATURE_VERSION");
  if (signature !== undefined && signature !== "v4") {
    found.push(
      finding(
        "signature-version",
        "warning",
        "S3_SIGNATURE_VERSION",
        "Mastodon passes S3_SIGNATURE_VERSION to the SDK; every current provider requires SigV4",
        "remove the S3_SIGNATURE_VERSION line (the default is v4)",
        ["writer-upload"],
      ),
    );
  }
  return found;
};

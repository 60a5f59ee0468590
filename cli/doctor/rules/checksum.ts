import { finding, type Finding, type Rule } from "../finding";

const BOTH = "AWS_REQUEST_CHECKSUM_CALCULATION=WHEN_REQUIRED and AWS_RESPONSE_CHECKSUM_VALIDATION=WHEN_REQUIRED";

/**
 * The checksum variables. aws-sdk-core (Ruby) reads AWS_REQUEST_CHECKSUM_CALCULATION and
 * AWS_RESPONSE_CHECKSUM_VALIDATION (values when_supported / when_required, any case); since aws-sdk-s3 1.178
 * (January 2025) the default sends CRC32 checksum headers on every upload. Mastodon ships such an SDK from 4.4.16,
 * 4.5.9 and 4.6.0 on (their Gemfile.lock); earlier releases pin an SDK that neither sends them nor reads the variables. Backblaze B2 answered them with 400
 * InvalidArgument "Unsupported header" and R2 with 501 NotImplemented at the time (aws-sdk-ruby#3167 and the
 * providers' community threads). S3_ENABLE_CHECKSUM_MODE is ignored by aws-sdk-s3 since 1.203.1.
 */
export const checksum: Rule = ({ values, provider }) => {
  const found: Finding[] = [];
  for (const name of ["AWS_REQUEST_CHECKSUM_CALCULATION", "AWS_RESPONSE_CHECKSUM_VALIDATION"]) {
    const value = values.get(name);
    if (value !== undefined && !["WHEN_REQUIRED", "WHEN_SUPPORTED"].includes(value.toUpperCase())) {
      found.push(
        finding(
          "checksum-invalid",
          "error",
          name,
          `${name} must be WHEN_REQUIRED or WHEN_SUPPORTED: the AWS SDK raises an error on any other value and Mastodon cannot store media`,
          `write ${name}=WHEN_REQUIRED`,
          ["writer-upload"],
        ),
      );
    }
  }
  const request = values.get("AWS_REQUEST_CHECKSUM_CALCULATION")?.toUpperCase();
  const response = values.get("AWS_RESPONSE_CHECKSUM_VALIDATION")?.toUpperCase();
  const missing = request !== "WHEN_REQUIRED" || response !== "WHEN_REQUIRED";
  const { checksumHeaders } = provider.provider.quirks;
  if (missing && checksumHeaders !== "accepted") {
    const severity = checksumHeaders === "refused" ? "error" : "warning";
    const why =
      checksumHeaders === "refused"
        ? `${provider.provider.name} refuses the CRC32 checksum headers newer AWS SDKs send (${provider.provider.id === "gcs" ? "SignatureDoesNotMatch or ExcessHeaderValues: aws/aws-sdk-java-v2#5987, qdrant/qdrant#9568" : '400 InvalidArgument "Unsupported header"'})`
        : checksumHeaders === "refused-at-times"
          ? `${provider.provider.name} answered the CRC32 checksum headers of newer AWS SDKs with 501 NotImplemented in 2025`
          : `${provider.provider.name} may not accept the CRC32 checksum headers newer AWS SDKs send (recent Mastodon releases ship them)`;
    found.push(
      finding(
        "checksum-variables",
        severity,
        "AWS_REQUEST_CHECKSUM_CALCULATION",
        `${why}: from Mastodon 4.4.16, 4.5.9 and 4.6.0 on (their AWS SDK sends CRC32 checksums by default) every upload fails ("Media could not be stored")`,
        `add ${BOTH} (read by the AWS SDK; harmless where not needed)`,
        ["writer-upload", "writer-delete"],
      ),
    );
  }
  if (values.has("S3_ENABLE_CHECKSUM_MODE")) {
    found.push(
      finding(
        "checksum-mode-ignored",
        "info",
        "S3_ENABLE_CHECKSUM_MODE",
        "S3_ENABLE_CHECKSUM_MODE is ignored by current AWS SDKs (aws-sdk-s3 1.203.1 and later)",
        "remove it; AWS_RESPONSE_CHECKSUM_VALIDATION=WHEN_REQUIRED is what turns response validation off",
      ),
    );
  }
  return found;
};

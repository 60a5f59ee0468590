import { aclNotPermitted, isAclPermissionRefusal } from "./acl-mode";
import { CHECKSUM_FIX } from "./writer-headers";
import type { S3Failure } from "./io/s3";
import { intendedProvider } from "../mastodon-env/providers";
import { usesPathStyle, type VerifyTarget } from "../mastodon-env/target";

/** The likely cause of a failure and what to change (docs/troubleshooting.md). */
export interface Diagnosis {
  cause: string;
  fix: string;
  /** The failure may go away by itself (propagation, a fresh CDN or certificate): worth retrying. */
  transient: boolean;
}

/**
 * Who made the bucket and its key, which decides the fix of a refusal. `stack` (the default): this project's
 * stack, whose envProduction output holds the right values and whose `pulumi up` restores the writer's policy.
 * `elsewhere`: a bucket this project did not make (`migrate --from-env OLD.env`, an old bucket set up by hand):
 * the fix names what its key needs, `needs` (IAM actions with where they apply, e.g. "s3:GetObject on
 * media/social/*"), and the .env.production Mastodon runs with; never the stack's output nor `pulumi up`, which
 * does not touch such a bucket.
 */
export type BucketOrigin = { madeBy: "stack" } | { madeBy: "elsewhere"; needs: readonly string[] };

const STACK: BucketOrigin = { madeBy: "stack" };

/**
 * A failed call to the S3 API made with the writer's credential. `action` is the IAM action, e.g. s3:PutObject;
 * `origin` who made the bucket (BucketOrigin), which the fixes of refusals follow.
 */
export function diagnoseS3(
  failure: S3Failure,
  target: VerifyTarget,
  action: string,
  aclSent = false,
  origin: BucketOrigin = STACK,
): Diagnosis {
  const { code, status } = failure;
  const elsewhere = origin.madeBy === "elsewhere" ? origin : undefined;
  const endpoint = target.facts.endpoint ?? `the AWS endpoint for ${target.facts.region}`;
  if (code === "AccessControlListNotSupported" || (aclSent && (code === "NotImplemented" || status === 501))) {
    return aclRejected(target);
  }
  const addressing = diagnoseAddressing(failure, target) ?? diagnoseMissingEndpoint(failure, target);
  if (addressing) return addressing;
  if (
    [
      "AuthorizationHeaderMalformed",
      "PermanentRedirect",
      "IllegalLocationConstraintException",
      "InvalidRegion",
    ].includes(code) ||
    status === 301
  ) {
    const where = failure.bucketRegion ? `the bucket is in ${failure.bucketRegion}` : "the bucket is in another region";
    return {
      cause: `region mismatch: requests are signed for S3_REGION=${target.facts.region} but ${where}`,
      fix: failure.bucketRegion
        ? `set S3_REGION=${failure.bucketRegion}${target.facts.endpoint ? " and the endpoint of that region" : ""}`
        : "set S3_REGION (and S3_ENDPOINT, which contains the region on Spaces) to the bucket's region",
      transient: false,
    };
  }
  if (code === "NoSuchBucket") {
    return {
      cause: `bucket ${target.facts.bucket} does not exist at ${endpoint}: the endpoint belongs to another region or account (on Spaces the region is part of the endpoint), or S3_BUCKET is misspelled`,
      fix: elsewhere
        ? "set S3_ENDPOINT (and S3_REGION) to the bucket's own region, or correct S3_BUCKET, as in the .env.production Mastodon runs with"
        : "set S3_ENDPOINT (and S3_REGION) to the bucket's own region, or correct S3_BUCKET; `pulumi stack output envProduction --show-secrets` has the right values",
      transient: false,
    };
  }
  if (code === "InvalidAccessKeyId") {
    return {
      cause: `${endpoint} does not know AWS_ACCESS_KEY_ID: the key belongs to another provider, region or account, was deleted, or was created seconds ago (new keys take a while to propagate); on R2 the key id is the API token's id`,
      fix: elsewhere
        ? "use the key Mastodon uses for this bucket, AWS_ACCESS_KEY_ID of the .env.production Mastodon runs with, against the same S3_ENDPOINT"
        : "use the writer key from this stack's envProduction output, against this stack's S3_ENDPOINT",
      transient: true,
    };
  }
  if (code === "SignatureDoesNotMatch") {
    return {
      cause:
        "the server computes another signature: AWS_SECRET_ACCESS_KEY is wrong (on R2 it is the SHA-256 hex of the token's value, not the value itself), or the key is seconds old",
      fix: elsewhere
        ? "copy AWS_SECRET_ACCESS_KEY again from the .env.production Mastodon runs with"
        : "copy AWS_SECRET_ACCESS_KEY again from `pulumi stack output envProduction --show-secrets`",
      transient: true,
    };
  }
  if (code === "RequestTimeTooSkewed") {
    return {
      cause: "this machine's clock is more than 15 minutes off",
      fix: "synchronise the clock (NTP)",
      transient: false,
    };
  }
  if (code === "AccessDenied" || status === 403) {
    return {
      cause: `${elsewhere ? "the key (AWS_ACCESS_KEY_ID)" : "the writer"} may not ${action} here: its policy lacks ${action} on ${target.facts.bucket}${target.facts.keyPrefix ? ` under ${target.facts.keyPrefix}/` : ""}, a bucket policy denies it, or the policy was changed seconds ago`,
      fix: elsewhere
        ? `give the key (AWS_ACCESS_KEY_ID) ${elsewhere.needs.join(", ")}, where the bucket's access is managed (the key's or the bucket's policy on AWS and MinIO, the key's bucket access on Spaces, the API token's permissions on R2)`
        : "re-run `pulumi up` so that the writer gets the component's policy back (PutObject, GetObject, DeleteObject, AbortMultipartUpload, ListBucket)",
      transient: true,
    };
  }
  if (
    ["MissingContentLength", "XAmzContentSHA256Mismatch", "BadDigest", "InvalidDigest"].includes(code) ||
    status === 411
  ) {
    return { cause: "the server rejects the checksum headers of newer AWS SDKs", fix: CHECKSUM_FIX, transient: false };
  }
  const network = diagnoseNetwork(code, target.facts.endpoint ? "S3_ENDPOINT" : "S3_REGION (the AWS endpoint)", {
    host: target.apiEndpoint.hostname,
    certNames: failure.certNames,
  });
  if (network) return network;
  if (code === "NotImplemented" || status === 501) {
    return {
      cause:
        `the server does not implement this request (${status ?? ""} ${code}): an operation or a header it carries is unsupported by this provider`.replace(
          /\s+\)/,
          ")",
        ),
      fix: "see the other checks for the header it refuses (x-amz-acl, checksum headers); otherwise this provider cannot serve Mastodon as configured",
      transient: false,
    };
  }
  if (status !== undefined && status >= 500) {
    return {
      cause: `the server failed (${status} ${code})`,
      fix: "retry later; if it persists, check the provider's status page",
      transient: true,
    };
  }
  return {
    cause: `unexpected answer ${status ?? ""} ${code}`.replace(/\s+/g, " "),
    fix: elsewhere
      ? "compare the env with the .env.production Mastodon runs with"
      : "compare the env with `pulumi stack output envProduction --show-secrets`",
    transient: false,
  };
}

/**
 * The addressing style as the cause, not S3_ENDPOINT. Mastodon calls path style whenever S3_ENDPOINT is set
 * (paperclip.rb `force_path_style: ENV['S3_OVERRIDE_PATH_STYLE'] != 'true'`): Alibaba Cloud OSS answers
 * SecondLevelDomainForbidden and Tencent COS PathStyleDomainForbidden (their "AWS S3 SDK" docs). With the override,
 * calls go to BUCKET.HOST (except where the SDK keeps path style: `usesPathStyle`), so a name that does not resolve
 * or a certificate that does not cover it is the override's doing, while the endpoint itself may be right.
 */
export function diagnoseAddressing(failure: S3Failure, target: VerifyTarget): Diagnosis | undefined {
  if (failure.code === "SecondLevelDomainForbidden" || failure.code === "PathStyleDomainForbidden") {
    return {
      cause: `the provider refuses path-style calls (${failure.code}), which Mastodon makes whenever S3_ENDPOINT is set: the endpoint is right, the addressing style is not`,
      fix: "add S3_OVERRIDE_PATH_STYLE=true (Mastodon then calls BUCKET.ENDPOINT-HOST, as the provider requires)",
      transient: false,
    };
  }
  if (!target.facts.endpoint || usesPathStyle(target)) return undefined;
  const virtualHost = `${target.facts.bucket}.${target.apiEndpoint.host}`;
  const what: Record<string, string> = {
    ENOTFOUND: "does not resolve",
    EAI_AGAIN: "does not resolve",
    ERR_TLS_CERT_ALTNAME_INVALID: "is not covered by the server's certificate",
    ECONNREFUSED: "refuses the connection",
  };
  const problem = what[failure.code];
  if (!problem) return undefined;
  return {
    cause: `S3_OVERRIDE_PATH_STYLE=true sends every call to ${virtualHost} (virtual-hosted style), which ${problem}; the host in S3_ENDPOINT itself may be right`,
    fix: `remove S3_OVERRIDE_PATH_STYLE (path style: ${target.apiEndpoint.host}/${target.facts.bucket}), or give the server a DNS record and certificate for *.${target.apiEndpoint.hostname} and its domain setting (MinIO MINIO_DOMAIN, Garage root_domain, Ceph rgw_dns_name)`,
    transient: false,
  };
}

/**
 * No S3_ENDPOINT, but S3_HOSTNAME or S3_REGION names another provider: paperclip.rb gives the SDK an endpoint only
 * from S3_ENDPOINT, so the calls go to `BUCKET.s3.REGION.amazonaws.com` (mastodon/mastodon#15177, #21853, #6974),
 * which does not resolve, or is AWS, which knows neither the bucket nor the key. The cause is the missing variable.
 */
export function diagnoseMissingEndpoint(failure: S3Failure, target: VerifyTarget): Diagnosis | undefined {
  if (target.facts.endpoint || target.env.endpointPresent) return undefined;
  const meant = intendedProvider(
    undefined,
    target.facts.region,
    target.env.vars.S3_HOSTNAME.state === "set" ? target.env.hostname : undefined,
  );
  if (meant.provider.id === "aws") return undefined;
  if (
    ![
      "ENOTFOUND",
      "EAI_AGAIN",
      "InvalidAccessKeyId",
      "NoSuchBucket",
      "SignatureDoesNotMatch",
      "AuthorizationHeaderMalformed",
    ].includes(failure.code)
  )
    return undefined;
  const sdkHost = `${target.facts.bucket}.s3.${target.facts.region}.amazonaws.com`;
  const endpoint =
    meant.provider.endpointFor?.(meant.region ?? target.facts.region) ??
    (meant.apiHost ? `https://${meant.apiHost}` : "https://<your provider's S3 API host>");
  return {
    cause: `S3_ENDPOINT is missing, so the SDK calls AWS (${sdkHost}) instead of ${meant.provider.id === "self-hosted" ? "your provider" : meant.provider.name}: S3_HOSTNAME only shapes media URLs (${failure.code})`,
    fix: `add S3_ENDPOINT=${endpoint}`,
    transient: false,
  };
}

/**
 * Uploads fail because of the ACL header S3_PERMISSION makes Mastodon send (config/initializers/paperclip.rb:
 * S3_PERMISSION becomes the x-amz-acl header). With the refusal at hand, a key that may not set ACLs in
 * object-ACL mode (Spaces) is named as such (acl-mode.ts).
 */
export function aclRejected(target: VerifyTarget, failure?: S3Failure): Diagnosis {
  if (failure && isAclPermissionRefusal(target, failure)) return aclNotPermitted(target);
  const permission = target.aclIsDefault ? "unset (Mastodon's default is public-read)" : `"${target.uploadAcl}"`;
  return {
    cause: `the server rejects the x-amz-acl header Mastodon sends because S3_PERMISSION is ${permission}: ACLs are disabled (AWS BucketOwnerEnforced), refused by policy, or unsupported (R2 answers 501); Mastodon shows "Media could not be stored"`,
    fix: "set S3_PERMISSION= (empty) so that Mastodon sends no ACL; public reads come from the bucket policy or the CDN",
    transient: false,
  };
}

/**
 * What a failed connection showed besides its code: the host it was for, and the names the certificate served
 * covers (Node's ERR_TLS_CERT_ALTNAME_INVALID error carries the certificate: `certificateNames`).
 */
export interface ConnectionDetail {
  host: string;
  certNames?: string;
}

/** Connection-level failures, for the API endpoint and the media host alike. `variable` is what names the host. */
export function diagnoseNetwork(code: string, variable: string, detail?: ConnectionDetail): Diagnosis | undefined {
  switch (code) {
    case "ENOTFOUND":
    case "EAI_AGAIN":
      return {
        cause: `the host in ${variable} does not resolve`,
        fix: `create its DNS record or correct ${variable}`,
        transient: true,
      };
    case "ECONNREFUSED":
      return {
        cause: `nothing listens at the host and port of ${variable}`,
        fix: `correct ${variable} or start the server`,
        transient: true,
      };
    case "ETIMEDOUT":
    case "TimeoutError":
    case "ECONNRESET":
    case "EHOSTUNREACH":
    case "ENETUNREACH":
      return { cause: `${variable} did not answer in time`, fix: "check firewalls and the host name", transient: true };
    case "EPROTO":
    case "ERR_SSL_WRONG_VERSION_NUMBER":
    case "ERR_SSL_PACKET_LENGTH_TOO_LONG":
      return {
        cause: `the scheme does not match the server: https was used where it speaks http, or the reverse`,
        fix: `correct the scheme in ${variable} (https for every real server)`,
        transient: false,
      };
  }
  return diagnoseTls(code, variable, detail);
}

/**
 * Object storage hosts that serve their own wildcard certificate (AWS S3, Spaces, R2, B2, Wasabi, Scaleway, Linode,
 * Hetzner, Exoscale, GCS): a name CNAMEd straight to one of them gets that certificate, never one for itself. A CDN
 * in front (CloudFront, Cloudflare's proxy, the Spaces CDN's custom domain) is what serves a certificate for it
 * (AWS S3 user guide, "Virtual hosting of buckets": CNAME access works over http only; DigitalOcean, "Spaces CDN").
 */
const STORAGE_CERTIFICATE =
  /(amazonaws\.com|digitaloceanspaces\.com|r2\.cloudflarestorage\.com|backblazeb2\.com|wasabisys\.com|scw\.cloud|linodeobjects\.com|your-objectstorage\.com|exo\.io|storage\.googleapis\.com)\b/i;

/** Private-network, loopback and single-label hosts (their certificates often come from a private CA). */
function isPrivateName(host: string): boolean {
  const name = host
    .replace(/^\[|\]$/g, "")
    .replace(/:\d+$/, "")
    .toLowerCase();
  return (
    /^(127\.|10\.|192\.168\.|172\.(1[6-9]|2\d|3[01])\.)/.test(name) ||
    name === "localhost" ||
    !name.includes(".") ||
    /\.(internal|local|lan|home\.arpa)$/.test(name)
  );
}

/** Certificate failures (Node's codes), usually a missing, pending or misconfigured certificate. */
export function diagnoseTls(code: string, variable: string, detail?: ConnectionDetail): Diagnosis | undefined {
  const fresh = "a certificate that is still being issued (CDN custom domain, ACM, Let's Encrypt) takes minutes";
  if (code === "ERR_TLS_CERT_ALTNAME_INVALID" && detail?.certNames && STORAGE_CERTIFICATE.test(detail.certNames)) {
    return {
      cause: `${variable} ${detail.host} points straight at the storage's own host: the certificate served is the provider's (${detail.certNames.slice(0, 120)}), which can never cover ${detail.host}; waiting does not help`,
      fix: `put a CDN in front of the bucket with a certificate for ${detail.host} (CloudFront, Cloudflare's proxy, the Spaces CDN with a custom domain) and point ${detail.host} at the CDN, or use the provider's host in ${variable}`,
      transient: false,
    };
  }
  const selfSigned = [
    "DEPTH_ZERO_SELF_SIGNED_CERT",
    "SELF_SIGNED_CERT_IN_CHAIN",
    "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
    "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  ].includes(code);
  if (selfSigned && detail && isPrivateName(detail.host) && variable === "S3_ENDPOINT") {
    return {
      cause: `the private endpoint ${detail.host} serves a self-signed certificate or one from a private CA (${code}): Mastodon's SDK and verify refuse it until that CA is trusted`,
      fix: "trust the CA on the Mastodon host: copy its certificate to /usr/local/share/ca-certificates/NAME.crt and run update-ca-certificates (Ruby's OpenSSL reads the system store; Docker: mount it and set SSL_CERT_FILE); run verify with NODE_EXTRA_CA_CERTS=/path/to/ca.crt",
      transient: false,
    };
  }
  switch (code) {
    case "ERR_TLS_CERT_ALTNAME_INVALID":
      return {
        cause: `the certificate served does not cover the host in ${variable}: a wrong host name, or ${fresh}`,
        fix: `correct ${variable}, or wait and run verify again with --retry-for 900`,
        transient: true,
      };
    case "CERT_HAS_EXPIRED":
      return {
        cause: "the certificate has expired",
        fix: "renew it (managed certificates renew only while DNS still validates them)",
        transient: false,
      };
    case "DEPTH_ZERO_SELF_SIGNED_CERT":
    case "SELF_SIGNED_CERT_IN_CHAIN":
      return {
        cause: "the certificate is self-signed: browsers and other servers reject it",
        fix: "serve a certificate from a public CA (Let's Encrypt, ACM)",
        transient: false,
      };
    case "UNABLE_TO_VERIFY_LEAF_SIGNATURE":
    case "UNABLE_TO_GET_ISSUER_CERT_LOCALLY":
    case "UNABLE_TO_GET_ISSUER_CERT":
      return {
        cause: "the certificate chain is incomplete or from an unknown CA",
        fix: "serve the full chain (leaf plus intermediates)",
        transient: false,
      };
    case "ERR_SSL_TLSV1_ALERT_INTERNAL_ERROR":
    case "ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE":
    case "ERR_SSL_TLSV1_UNRECOGNIZED_NAME":
      return {
        cause: `the server has no certificate for this host yet: ${fresh}`,
        fix: "wait and run verify again with --retry-for 900",
        transient: true,
      };
  }
  return undefined;
}

import { createHash } from "node:crypto";
import { S3Client } from "@aws-sdk/client-s3";
import { certificateNames } from "./tls";
import type { VerifyTarget } from "../../mastodon-env/target";

/**
 * The writer's S3 client, configured the way Mastodon configures its SDK from the env: region, endpoint,
 * path style, checksum modes. Short timeouts and no SDK-level retries: verify decides what is worth retrying.
 */
export function writerClient(
  target: VerifyTarget,
  checksums: "as-configured" | "when-required" = "as-configured",
): S3Client {
  // Printed once per process on Node 20 ("will require node >=22"): noise in `pulumi up` logs, not a finding.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true";
  return new S3Client({
    region: target.facts.region,
    endpoint: target.facts.endpoint,
    forcePathStyle: target.forcePathStyle,
    credentials: { accessKeyId: target.facts.accessKeyId, secretAccessKey: target.facts.secretAccessKey },
    requestChecksumCalculation: checksums === "when-required" ? "WHEN_REQUIRED" : target.requestChecksumCalculation,
    responseChecksumValidation: target.responseChecksumValidation,
    maxAttempts: 1,
    requestHandler: { connectionTimeout: 5_000, requestTimeout: 20_000, throwOnRequestTimeout: true },
  });
}

/**
 * Replaces the SDK's CRC32 checksum headers by Content-MD5 on one command (before signing): every S3 server
 * accepts Content-MD5, so a refusal of the newer headers cannot be mistaken for the answer the check looks for.
 */
export function md5InsteadOfChecksums<T extends { middlewareStack: { addRelativeTo(...args: never[]): void } }>(
  command: T,
): T {
  type Args = { request: { headers: Record<string, string>; body?: unknown } };
  const middleware = (next: (args: Args) => Promise<unknown>) => async (args: Args) => {
    const { headers, body } = args.request;
    for (const name of Object.keys(headers)) if (/^x-amz-(sdk-)?checksum/i.test(name)) delete headers[name];
    if (typeof body === "string" || body instanceof Uint8Array)
      headers["content-md5"] = createHash("md5").update(body).digest("base64");
    return next(args);
  };
  (command.middlewareStack.addRelativeTo as unknown as (m: unknown, o: unknown) => void)(middleware, {
    relation: "before",
    toMiddleware: "httpSigningMiddleware",
    name: "md5InsteadOfChecksums",
  });
  return command;
}

/** An S3 or network error reduced to what the report shows and the diagnosis reads. */
export interface S3Failure {
  /** S3 error code (AccessDenied, NoSuchBucket...) or Node network code (ECONNREFUSED...). */
  code: string;
  status?: number;
  /** The region the server says the bucket is in, when it says so (AWS). */
  bucketRegion?: string;
  message?: string;
  /** The names a refused TLS certificate covers (kept only for ERR_TLS_CERT_ALTNAME_INVALID). */
  certNames?: string;
}

/**
 * Failures that happen before a request reaches the server: the name does not resolve, nothing listens, or the
 * TLS handshake was refused (Node's error codes, "Common system errors" and tls "X509 certificate error codes").
 * A PUT that failed this way created nothing: no probe to count, remove or report.
 */
const NEVER_SENT = new Set([
  "ENOTFOUND",
  "EAI_AGAIN",
  "ECONNREFUSED",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "EPROTO",
  "ERR_SSL_WRONG_VERSION_NUMBER",
  "ERR_TLS_CERT_ALTNAME_INVALID",
  "CERT_HAS_EXPIRED",
  "DEPTH_ZERO_SELF_SIGNED_CERT",
  "SELF_SIGNED_CERT_IN_CHAIN",
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
  "UNABLE_TO_GET_ISSUER_CERT",
]);

export function neverReachedServer(failure: S3Failure): boolean {
  return failure.status === undefined && NEVER_SENT.has(failure.code);
}

interface SdkErrorShape {
  name?: string;
  code?: string;
  Code?: string;
  message?: string;
  Region?: string;
  $metadata?: { httpStatusCode?: number };
  $response?: { headers?: Record<string, string | undefined> };
  cause?: unknown;
}

/** What the SDK calls an error that came without an S3 error code. */
const NAMELESS = ["Error", "Unknown", "UnknownError"];

/** Reads an SDK or network error. The message goes through `redact` so that no credential can be printed. */
export function describeFailure(error: unknown, redact: (text: string) => string): S3Failure {
  const e = (typeof error === "object" && error !== null ? error : { message: String(error) }) as SdkErrorShape;
  const cause = (typeof e.cause === "object" && e.cause !== null ? e.cause : {}) as SdkErrorShape;
  const status = e.$metadata?.httpStatusCode;
  const networkCode = e.code ?? cause.code;
  let code = e.Code ?? (e.name && !NAMELESS.includes(e.name) ? e.name : undefined) ?? networkCode;
  // HEAD answers and some servers' errors have no body: the SDK then has no code, only the status.
  if ((!code || NAMELESS.includes(code) || /^\d+$/.test(code)) && status !== undefined) code = statusCode(status);
  const message =
    e.message && !NAMELESS.includes(e.message) && e.message !== code ? redact(e.message).slice(0, 200) : undefined;
  const names = networkCode === "ERR_TLS_CERT_ALTNAME_INVALID" ? certificateNames(error) : undefined;
  return {
    code: code ?? "UnknownError",
    status,
    bucketRegion: e.$response?.headers?.["x-amz-bucket-region"] ?? e.Region,
    message,
    ...(names ? { certNames: names } : {}),
  };
}

function statusCode(status: number): string {
  const names: Record<number, string> = {
    301: "PermanentRedirect",
    400: "BadRequest",
    403: "AccessDenied",
    404: "NotFound",
    405: "MethodNotAllowed",
    411: "MissingContentLength",
    501: "NotImplemented",
  };
  return names[status] ?? `HTTP${status}`;
}

export function formatFailure(failure: S3Failure): string {
  const status = failure.status !== undefined ? `${failure.status} ` : "";
  const message = failure.message ? ` (${failure.message})` : "";
  return `${status}${failure.code}${message}`;
}

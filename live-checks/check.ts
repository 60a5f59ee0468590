import type { S3Client } from "@aws-sdk/client-s3";
import type { HttpRequest, HttpResponse } from "./io/http";
import type { ProbeRegistry } from "./probes";
import type { VerifyTarget } from "../mastodon-env/target";
import type { TlsFacts } from "./io/tls";

/**
 * pass: seen to work. fail: seen to break. skip: not applicable, or an earlier check it needs failed.
 * inconclusive: the check ran but what it saw proves neither (never counted as a pass).
 * warn: works, but Mastodon has a known limit here (e.g. orphan cleanup with S3_KEY_PREFIX).
 */
export type CheckStatus = "pass" | "fail" | "skip" | "inconclusive" | "warn";

/** What one check found: what was observed (statuses, headers), and on failure the likely cause and fix. */
export interface CheckOutcome {
  status: CheckStatus;
  observed: string[];
  cause?: string;
  fix?: string;
  /** The failure may clear by itself (a fresh CDN, DNS, certificate, IAM propagation): retry within --retry-for. */
  transient?: boolean;
  /**
   * Only on an inconclusive outcome: the step the admin takes after `pulumi up` (one line, e.g. "write the nginx
   * cache buster's secret file"; `fix` holds its exact commands) without which the check cannot run. Still not a
   * pass: verify exits EXIT.pending (cli/shared/exit-codes.ts) when nothing failed and every result that did not
   * pass is pending, and the self-check of `pulumi up` accepts that (components/self-check.ts).
   */
  pending?: string;
}

/** The uploaded probe the later checks read, serve, list and delete. */
export interface Probe {
  key: string;
  body: Buffer;
  contentType: string;
}

/** Facts earlier checks establish for later ones. */
export interface CheckState {
  probe?: Probe;
  /** The probe is served at its public URL. */
  mediaServed?: boolean;
  /** Where the probe was finally served, when the media URL redirects to a host the CSP allows. */
  servedUrl?: string;
  /** The server refuses the ACL header S3_PERMISSION asks for: later uploads go without it, to test the rest. */
  aclRejected?: boolean;
  /** The server refuses the CRC32 checksum headers of newer SDKs: later calls go without them, to test the rest. */
  checksumRejected?: boolean;
  /** writer-upload went multipart (the probe is above S3_MULTIPART_THRESHOLD). */
  uploadWasMultipart?: boolean;
  /** The writer read the probe back: a 403 on a missing key then means "hidden", not "refused". */
  readOk?: boolean;
}

/** What the caller already knows, so that a check reads its answers in that light (doctor --live sets bucketInEndpoint). */
export interface CheckHints {
  /**
   * doctor found the bucket inside S3_ENDPOINT (its finding `bucket-in-endpoint`), also where the target could
   * not tell which label is the bucket: bucket-level calls would land inside the bucket as object requests.
   */
  bucketInEndpoint?: boolean;
  /** How long the cache-bust check waits for the edge to drop a busted file (default 180 s; tests shorten it). */
  cacheBustWaitSeconds?: number;
}

/** Side effects a check may use, injectable so that the checks can be tested without a network. */
export interface CheckIo {
  s3: S3Client;
  /** The same writer with AWS_REQUEST_CHECKSUM_CALCULATION=WHEN_REQUIRED, to tell a refused checksum header apart. */
  s3WhenRequired?: S3Client;
  http(url: string, request?: HttpRequest): Promise<HttpResponse>;
  tls(host: string, port: number, signal?: AbortSignal): Promise<TlsFacts>;
}

export interface CheckContext {
  target: VerifyTarget;
  /** The web origin used for CORS requests (`--origin`). */
  origin: string;
  io: CheckIo;
  probes: ProbeRegistry;
  state: CheckState;
  hints?: CheckHints;
  signal: AbortSignal;
  /** Removes the credential from any text before it is shown. */
  redact(text: string): string;
  /** `--previous-media-base`: an old media base (`host[/path]`) that must answer 301 (checks/previous-media-redirect.ts). */
  previousMediaBase?: string;
}

export type Requirement = "probe" | "mediaServed";

/** One live check. `Id` is its id as a literal (`live-checks/checks/<id>.ts`), so the registry can list the ids. */
export interface Check<Id extends string = string> {
  /** kebab-case, the name of its file in live-checks/checks/, printed on its report line. */
  id: Id;
  /** What a pass proves, in one line. */
  title: string;
  /** Skipped, with the reason, when an earlier check could not establish these. */
  needs?: Requirement[];
  /**
   * How long a transient failure may be retried: `deadline` = until --retry-for runs out (CDN, DNS, TLS);
   * a number caps it in seconds (IAM propagation takes seconds, not the 15 minutes a CDN may need).
   */
  retry?: "deadline" | number;
  run(context: CheckContext): Promise<CheckOutcome>;
}

/** A check, with its id kept as a literal type (for the registry's `CheckId`). */
export function defineCheck<const Id extends string>(check: Check<Id>): Check<Id> {
  return check;
}

export function pass(...observed: string[]): CheckOutcome {
  return { status: "pass", observed };
}

export function fail(observed: string[], cause: string, fix: string, transient = false): CheckOutcome {
  return { status: "fail", observed, cause, fix, transient };
}

export function skip(reason: string): CheckOutcome {
  return { status: "skip", observed: [reason] };
}

export function inconclusive(observed: string[], cause: string, fix: string): CheckOutcome {
  return { status: "inconclusive", observed, cause, fix };
}

/** Inconclusive until the admin takes `step` after `pulumi up` (`fix`: its exact commands); see CheckOutcome.pending. */
export function pendingStep(observed: string[], cause: string, step: string, fix: string): CheckOutcome {
  return { status: "inconclusive", observed, cause, fix, pending: step };
}

export function warn(observed: string[], cause: string, fix: string): CheckOutcome {
  return { status: "warn", observed, cause, fix };
}

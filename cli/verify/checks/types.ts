import type { S3Client } from "@aws-sdk/client-s3";
import type { HttpRequest, HttpResponse } from "../http";
import type { ProbeRegistry } from "../probes";
import type { VerifyTarget } from "../target";
import type { TlsFacts } from "../tls";

export type CheckStatus = "pass" | "fail" | "skip";

/** What one check found: what was observed (statuses, headers), and on failure the likely cause and fix. */
export interface CheckOutcome {
  status: CheckStatus;
  observed: string[];
  cause?: string;
  fix?: string;
  /** The failure may clear by itself (a fresh CDN, DNS, certificate, IAM propagation): retry within --retry-for. */
  transient?: boolean;
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
  /** The server refuses the ACL header S3_PERMISSION asks for: later uploads go without it, to test the rest. */
  aclRejected?: boolean;
}

/** Side effects a check may use, injectable so that the checks can be tested without a network. */
export interface CheckIo {
  s3: S3Client;
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
  signal: AbortSignal;
  /** Removes the credential from any text before it is shown. */
  redact(text: string): string;
}

export type Requirement = "probe" | "mediaServed";

export interface Check {
  id: string;
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

export function pass(...observed: string[]): CheckOutcome {
  return { status: "pass", observed };
}

export function fail(observed: string[], cause: string, fix: string, transient = false): CheckOutcome {
  return { status: "fail", observed, cause, fix, transient };
}

export function skip(reason: string): CheckOutcome {
  return { status: "skip", observed: [reason] };
}

import {
  describeDnsStatus,
  dnsStatus,
  normalizeHost,
  systemResolver,
  type DnsResolver,
  type DnsStatus,
} from "../components/dns-status";
import { retryUntil, type Clock } from "./retry";

/**
 * `--expect-cname HOST=TARGET`: the media host's record is the user's to create (AWS with `dns.type: external`).
 * Until it exists nothing can be checked, and that is not a failure of the storage: verify waits a while, then
 * reports "waiting for DNS" with the exact record and exits with EXIT.pending, having created nothing.
 */
export interface ExpectedCname {
  host: string;
  target: string;
}

/**
 * How long verify waits for a missing record before reporting it pending: long enough for someone who has just
 * read the record in `pulumi up`'s output to create it, far shorter than the 15 minutes a CDN rollout may take.
 */
export const DNS_PENDING_WAIT_SECONDS = 300;

const HOST = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;

/** Parses `HOST=TARGET` (two host names); a problem sentence naming the flag otherwise. */
export function parseExpectCname(value: string): ExpectedCname | { problem: string } {
  const [host, target, ...rest] = value.split("=").map((part) => normalizeHost(part.trim()));
  if (!host || !target || rest.length > 0 || !HOST.test(host) || !HOST.test(target)) {
    return {
      problem: `--expect-cname must be HOST=TARGET, two host names such as files.example.com=d111111abcdef8.cloudfront.net (got ${JSON.stringify(value)})`,
    };
  }
  return { host, target };
}

export interface DnsWait {
  /** Still missing when the wait ran out: the record to create. */
  pending: boolean;
  status: DnsStatus;
  /** One line for the report. */
  line: string;
}

/** Waits until the host resolves (any answer but `missing`), or the deadline passes. */
export async function waitForDnsRecord(
  expected: ExpectedCname,
  deadline: number,
  onRetry: (line: string, waitMs: number, leftMs: number) => void,
  options: { resolver?: DnsResolver; clock?: Clock; signal?: AbortSignal } = {},
): Promise<DnsWait> {
  const { result } = await retryUntil(() => dnsStatus(expected.host, options.resolver ?? systemResolver), {
    deadline,
    shouldRetry: (status) => status.kind === "missing",
    onRetry: ({ last, waitMs, leftMs }) =>
      onRetry(describeDnsStatus(expected.host, expected.target, last), waitMs, leftMs),
    clock: options.clock,
    signal: options.signal,
  });
  return {
    pending: result.kind === "missing",
    status: result,
    line: describeDnsStatus(expected.host, expected.target, result),
  };
}

/** The pending report: not a pass, not a failure of the storage; what to do, and that nothing was created. */
export function renderPending(expected: ExpectedCname, wait: DnsWait): string {
  return [
    `PENDING  waiting for DNS: create ${expected.host} CNAME ${expected.target}`,
    `      ${wait.line}`,
    "      Nothing was checked and nothing was created on the server. Once the record resolves, run `pulumi up` again",
    "      (the self-check then runs the live checks) or `npm run verify`.",
    "",
  ].join("\n");
}

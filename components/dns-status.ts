import { promises as dns } from "node:dns";

/**
 * What public DNS says about a host the user must point at a CDN themselves (external DNS):
 * - `missing`: the name does not resolve (NXDOMAIN, or no CNAME and no address): the record is not created yet;
 * - `cname`: a CNAME, with its target (lower case, no trailing dot);
 * - `addresses`: addresses without a CNAME (an apex ALIAS/ANAME, or a provider flattening the CNAME);
 * - `unknown`: the resolver failed (timeout, SERVFAIL, no network): nothing can be concluded.
 */
export type DnsStatus =
  | { kind: "missing"; code: string }
  | { kind: "cname"; target: string }
  | { kind: "addresses" }
  | { kind: "unknown"; code: string };

/** The two lookups the status needs, injectable so that tests and the offline plan use no network. */
export interface DnsResolver {
  /** As `dns.promises.resolveCname`: rejects with ENODATA (no CNAME) or ENOTFOUND (no such name). */
  resolveCname(host: string): Promise<string[]>;
  /** As `dns.promises.lookup` with `all: true`: the addresses the system resolver gives. */
  lookup(host: string): Promise<{ address: string }[]>;
}

export const systemResolver: DnsResolver = {
  resolveCname: (host) => dns.resolveCname(host),
  lookup: (host) => dns.lookup(host, { all: true }),
};

/** Codes of Node's resolver meaning "this name has no such record", as opposed to "could not ask". */
const ABSENT = new Set(["ENOTFOUND", "ENODATA", "NXDOMAIN", "ENONAME"]);

export function normalizeHost(host: string): string {
  return host.toLowerCase().replace(/\.$/, "");
}

/** Looks the host up; never throws (a failure is `unknown` with the resolver's code). */
export async function dnsStatus(host: string, resolver: DnsResolver = systemResolver): Promise<DnsStatus> {
  try {
    const [target] = await resolver.resolveCname(host);
    if (target) return { kind: "cname", target: normalizeHost(target) };
  } catch (error) {
    const code = codeOf(error);
    if (!ABSENT.has(code)) return { kind: "unknown", code };
    // No CNAME (or a resolver that does not see the name): the system resolver, which other servers and browsers
    // use too, decides whether the name resolves at all (an /etc/hosts entry, an ALIAS, a flattened CNAME).
  }
  try {
    const addresses = await resolver.lookup(host);
    return addresses.length > 0 ? { kind: "addresses" } : { kind: "missing", code: "ENODATA" };
  } catch (error) {
    const code = codeOf(error);
    return ABSENT.has(code) ? { kind: "missing", code } : { kind: "unknown", code };
  }
}

/**
 * One line naming the status against the record the user was asked to create, e.g.
 * `files.example.com CNAME d111111abcdef8.cloudfront.net: missing (ENOTFOUND)`. Stable text: the AWS stack uses
 * it as a trigger of the self-check, so the checks run again once the record appears or changes.
 */
export function describeDnsStatus(host: string, target: string, status: DnsStatus): string {
  const record = `${host} CNAME ${target}`;
  switch (status.kind) {
    case "missing":
      return `${record}: missing (${status.code})`;
    case "cname":
      return normalizeHost(status.target) === normalizeHost(target)
        ? `${record}: in place`
        : `${record}: points at ${status.target} instead`;
    case "addresses":
      return `${record}: resolves to addresses without a CNAME (an ALIAS or a flattened CNAME)`;
    case "unknown":
      return `${record}: could not be looked up (${status.code})`;
  }
}

function codeOf(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" ? code : "UnknownError";
}

/**
 * The resolver the Pulumi program uses (AWS external DNS: the self-check's trigger). The offline plan installs
 * `offlineResolver` so that planning never touches the network and never presents a made-up answer as real.
 */
let programResolver: DnsResolver = systemResolver;

export function setProgramDnsResolver(resolver: DnsResolver): void {
  programResolver = resolver;
}

/** Answers every question with "not looked up": the status reads `could not be looked up (OFFLINE_PLAN)`. */
export const offlineResolver: DnsResolver = {
  resolveCname: () =>
    Promise.reject(Object.assign(new Error("offline plan: DNS is not looked up"), { code: "OFFLINE_PLAN" })),
  lookup: () =>
    Promise.reject(Object.assign(new Error("offline plan: DNS is not looked up"), { code: "OFFLINE_PLAN" })),
};

/** The status line of the record `host CNAME target` as the program sees it now (see describeDnsStatus). */
export async function programDnsStatusLine(host: string, target: string): Promise<string> {
  return describeDnsStatus(host, target, await dnsStatus(host, programResolver));
}

import { promises as dns } from "node:dns";
import * as net from "node:net";
import { retryUntil, type Clock } from "./retry";
import { mediaHostVariable, type VerifyTarget } from "../mastodon-env/target";

/** A host verify must reach before it creates anything, and the env variable that names it. */
export interface Endpoint {
  variable: string;
  url: URL;
}

/** The API endpoint and the media host (once when they are the same host and port). */
export function endpointsOf(target: VerifyTarget): Endpoint[] {
  const api: Endpoint = {
    variable: target.facts.endpoint ? "S3_ENDPOINT" : `the AWS endpoint of S3_REGION`,
    url: target.apiEndpoint,
  };
  const media: Endpoint = { variable: mediaHostVariable(target), url: target.mediaBase };
  return hostPort(api.url) === hostPort(media.url) ? [api] : [api, media];
}

function hostPort(url: URL): string {
  return `${url.hostname}:${portOf(url)}`;
}

export function portOf(url: URL): number {
  return url.port ? Number(url.port) : url.protocol === "https:" ? 443 : 80;
}

/** Resolves the host and opens a TCP connection; undefined when reachable, else one sentence saying why not. */
export async function unreachable(endpoint: Endpoint, timeoutMs = 5_000): Promise<string | undefined> {
  const { hostname } = endpoint.url;
  const host = hostname.replace(/^\[|\]$/g, "");
  const where = `${endpoint.variable} (${endpoint.url.host})`;
  let address: string;
  try {
    address = net.isIP(host) ? host : (await dns.lookup(host)).address;
  } catch (error) {
    const code = (error as { code?: string }).code ?? "lookup failed";
    return `${where} does not resolve (${code}): create its DNS record or correct ${endpoint.variable}`;
  }
  return new Promise((resolve) => {
    const socket = net.connect({ host: address, port: portOf(endpoint.url) });
    const done = (problem: string | undefined) => {
      socket.destroy();
      resolve(problem);
    };
    socket.setTimeout(timeoutMs, () =>
      done(`${where} did not accept a connection within ${timeoutMs / 1000} s: check the host, the port and firewalls`),
    );
    socket.once("connect", () => done(undefined));
    socket.once("error", (error: NodeJS.ErrnoException) =>
      done(
        error.code === "ECONNREFUSED"
          ? `${where} is unreachable: connection refused (nothing listens on port ${portOf(endpoint.url)}): correct ${endpoint.variable} or start the server`
          : `${where} is unreachable (${error.code ?? error.message}): check the host and the network`,
      ),
    );
  });
}

/**
 * Every endpoint that cannot be reached, after retrying until the deadline (a fresh DNS record may take
 * minutes); an empty list means verify may go on and create its probes.
 */
export async function unreachableEndpoints(
  endpoints: readonly Endpoint[],
  deadline: number,
  onRetry: (problems: string[], waitMs: number, leftMs: number) => void,
  clock?: Clock,
  signal?: AbortSignal,
): Promise<string[]> {
  const { result } = await retryUntil(
    async () =>
      (await Promise.all(endpoints.map((endpoint) => unreachable(endpoint)))).filter(
        (p): p is string => p !== undefined,
      ),
    {
      deadline,
      shouldRetry: (problems) => problems.length > 0,
      onRetry: ({ last, waitMs, leftMs }) => onRetry(last, waitMs, leftMs),
      clock,
      signal,
    },
  );
  return result;
}

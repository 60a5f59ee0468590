import { isLoopbackHost } from "../../components/hosts";

/** How Mastodon reaches MinIO, and how it writes public media URLs. */
export interface MinioEndpoint {
  /** S3_ENDPOINT: scheme, host and port, without a trailing slash. */
  endpoint: string;
  /** S3_HOSTNAME: `host[:port]` of the API, the host of path-style media URLs when there is no alias. */
  hostname: string;
  /** S3_PROTOCOL: the scheme of public media URLs. */
  protocol: "http" | "https";
}

/**
 * Media URLs are plain http only when MinIO serves them itself over http on loopback (a development machine);
 * with a media domain, the nginx proxy serves them over TLS whatever the API's scheme.
 */
export function minioEndpoint(endpoint: string, mediaDomain?: string): MinioEndpoint {
  const url = new URL(endpoint);
  const plainLoopback = url.protocol === "http:" && isLoopbackHost(url.hostname);
  return {
    endpoint: url.origin,
    hostname: url.host,
    protocol: mediaDomain === undefined && plainLoopback ? "http" : "https",
  };
}

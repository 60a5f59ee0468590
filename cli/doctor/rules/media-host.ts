import { isLoopbackHost } from "../../../components/hosts";
import { isR2DevHost, recognizeProvider } from "../../../mastodon-env/providers";
import { finding, type Finding, type Rule } from "../finding";

/**
 * Where media URLs point, and what the browser's CSP allows. paperclip.rb: with S3_ALIAS_HOST (or the older
 * S3_CLOUDFRONT_HOST) URLs are `S3_PROTOCOL://ALIAS/KEY` (`:s3_alias_url`); without it, `S3_PROTOCOL://S3_HOSTNAME/BUCKET/KEY`
 * (path URL), S3_HOSTNAME defaulting to `s3-REGION.amazonaws.com`. content_security_policy.rb allows only the first
 * non-blank of alias, CloudFront host and S3_HOSTNAME: Mastodon's computed default is never in the CSP.
 */
export const mediaHost: Rule = ({ env, values, provider }) => {
  const found: Finding[] = [];
  const aliasVar = values.has("S3_ALIAS_HOST") ? "S3_ALIAS_HOST" : "S3_CLOUDFRONT_HOST";
  if (values.has("S3_CLOUDFRONT_HOST") && !values.has("S3_ALIAS_HOST")) {
    found.push(
      finding(
        "cloudfront-host-legacy",
        "info",
        "S3_CLOUDFRONT_HOST",
        "S3_CLOUDFRONT_HOST is the old name of S3_ALIAS_HOST; Mastodon still reads it",
        `rename the line to S3_ALIAS_HOST=${values.get("S3_CLOUDFRONT_HOST")}`,
      ),
    );
  }
  if (env.aliasPresent && !env.aliasHost) {
    found.push(
      finding(
        "alias-empty",
        "error",
        aliasVar,
        `${aliasVar} is present but empty: Mastodon switches to alias URLs with an empty host, so every media URL starts with https:/// and no image loads`,
        `remove the ${aliasVar} line, or write ${aliasVar}=<your media host>, e.g. files.example.com`,
        ["public-read"],
      ),
    );
  }
  if (!env.aliasPresent) {
    if (env.vars.S3_HOSTNAME.state === "absent") {
      found.push(
        finding(
          "media-host-missing",
          "error",
          "S3_ALIAS_HOST",
          `neither S3_ALIAS_HOST nor S3_HOSTNAME is set: Mastodon links media at its computed host ${env.hostname}${env.region === "us-east-1" ? " (a name that does not exist for us-east-1)" : ""}, which the browser's CSP does not allow either, so images stay broken`,
          `write S3_ALIAS_HOST=<the host that serves your bucket's files>${provider.provider.id === "aws" ? `, or at least S3_HOSTNAME=s3.${env.region}.amazonaws.com` : provider.apiHost ? `, or at least S3_HOSTNAME=${provider.apiHost}` : ""}`,
          ["public-read"],
        ),
      );
    } else if (env.vars.S3_HOSTNAME.state === "empty") {
      found.push(
        finding(
          "hostname-empty",
          "error",
          "S3_HOSTNAME",
          "S3_HOSTNAME is present but empty and there is no alias: media URLs have no host",
          "write S3_ALIAS_HOST=<your media host> (or S3_HOSTNAME=<the API host>)",
          ["public-read"],
        ),
      );
    } else {
      const named = recognizeProvider(env.hostname);
      if (named?.region && named.provider.quirks.regionInHost && named.region !== env.region && !named.bucketLabel) {
        found.push(
          finding(
            "hostname-region",
            "warning",
            "S3_HOSTNAME",
            `S3_HOSTNAME ${env.hostname} is in ${named.region} but S3_REGION=${env.region}: media URLs point at another region`,
            `write S3_HOSTNAME=${named.provider.endpointFor?.(env.region)?.replace(/^https:\/\//, "") ?? "<the bucket region's host>"}, or correct S3_REGION`,
            ["public-read"],
          ),
        );
      }
    }
  }
  if (env.aliasHost) aliasShape(env.aliasHost, aliasVar, env.bucket, found);
  const shown = env.aliasHost || (!env.aliasPresent ? values.get("S3_HOSTNAME") : undefined);
  if (shown && isR2DevHost(shown)) {
    found.push(
      finding(
        "r2-dev-host",
        "warning",
        env.aliasHost ? aliasVar : "S3_HOSTNAME",
        `media is served from ${shown.split("/")[0]}, an r2.dev URL: Cloudflare rate-limits it and calls it "for development only" (R2 docs, "Public buckets"); under load, media fails for everyone, and the host can never change without breaking every old URL`,
        "connect a custom domain to the bucket (R2 > bucket > Settings > Custom Domains), write S3_ALIAS_HOST=<that domain>, and disable the r2.dev URL",
      ),
    );
  }
  if (env.protocol !== "https") {
    const host = (env.aliasHost || env.hostname).split(/[:/]/)[0] ?? "";
    if (env.vars.S3_PROTOCOL.state === "empty" || (env.protocol !== "http" && env.protocol !== "https")) {
      found.push(
        finding(
          "protocol-invalid",
          "error",
          "S3_PROTOCOL",
          `S3_PROTOCOL must be https (it is ${env.protocol === "" ? "empty" : "not http or https"}): media URLs are malformed`,
          "write S3_PROTOCOL=https",
          ["public-read"],
        ),
      );
    } else if (!isLoopbackHost(host)) {
      found.push(
        finding(
          "protocol-http",
          "error",
          "S3_PROTOCOL",
          "S3_PROTOCOL=http makes media URLs plain http: browsers block them on an https instance (mixed content) and other servers may refuse them",
          "write S3_PROTOCOL=https and serve the media host with TLS",
          ["public-read"],
        ),
      );
    }
  }
  return found;
};

/** S3_ALIAS_HOST is a host, not a URL: `S3_PROTOCOL://` is put in front of it and the key after a `/`. */
function aliasShape(alias: string, variable: string, bucket: string | undefined, found: Finding[]): void {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(alias)) {
    found.push(
      finding(
        "alias-scheme",
        "error",
        variable,
        `${variable} carries a scheme: Mastodon adds S3_PROTOCOL:// itself, so URLs become https://https://... and no image loads`,
        `write ${variable}=${alias.replace(/^[a-z][a-z0-9+.-]*:\/\//i, "").replace(/\/$/, "")}`,
        ["public-read"],
      ),
    );
    return;
  }
  const match = /^([^/:]+)(:\d+)?(\/.*)?$/.exec(alias);
  if (!match) {
    found.push(
      finding(
        "alias-invalid",
        "error",
        variable,
        `${variable} is not a host name`,
        `write ${variable}=<your media host>, e.g. files.example.com`,
        ["public-read"],
      ),
    );
    return;
  }
  const [, host = "", port, path] = match;
  if (port) {
    found.push(
      finding(
        "alias-port",
        "warning",
        variable,
        `${variable} carries a port (${port.slice(1)}): media URLs use it, and other servers and some clients fetch media only on 443`,
        `serve media on 443 and write ${variable}=${host}${path ?? ""}`,
        ["public-read"],
      ),
    );
  }
  // Storj's linksharing host serves `/raw/ACCESS_KEY/BUCKET/KEY`: the alias Mastodon's setup wizard writes
  // (lib/tasks/mastodon.rake, "Storj DCS"). Its access key is a public read-only share, not a secret.
  const storjShare =
    /^link(?:\.[a-z]{2}\d)?\.storjshare\.io$/i.test(host) &&
    bucket !== undefined &&
    new RegExp(`^/raw/[a-z0-9]+/${bucket.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}$`, "i").test(path ?? "");
  if (path && !storjShare) {
    const withBucket = bucket !== undefined && path.replace(/\/$/, "").split("/").includes(bucket);
    found.push(
      finding(
        withBucket ? "bucket-in-alias" : "alias-path",
        "warning",
        variable,
        withBucket
          ? `${variable} ends with the bucket name (${path}): right only when the host serves buckets by path (a bare MinIO/RGW endpoint); a CDN or custom domain serves the bucket at its root, so every media URL answers 404`
          : `${variable} carries a path (${path}): right only if the host serves the bucket under that path; the CSP then allows only that path`,
        withBucket
          ? `if the host serves the bucket at its root, write ${variable}=${host}${port ?? ""}`
          : `check that https://${alias}/media_attachments/... serves your files (npm run verify does); otherwise write ${variable}=${host}`,
        ["public-read"],
      ),
    );
  }
  if (path?.endsWith("/")) {
    found.push(
      finding(
        "alias-trailing-slash",
        "warning",
        variable,
        `${variable} ends with '/': media URLs get a double slash (//media_attachments/...), which many hosts answer with 404`,
        `write ${variable}=${alias.replace(/\/+$/, "")}`,
        ["public-read"],
      ),
    );
  }
  const named = recognizeProvider(host);
  if (named?.bucketLabel && bucket && named.bucketLabel !== bucket) {
    found.push(
      finding(
        "alias-other-bucket",
        "warning",
        variable,
        `${variable} is ${named.provider.name}'s host for bucket ${named.bucketLabel}, not S3_BUCKET=${bucket}: media links point at another bucket`,
        `write ${variable}=${bucket}.${named.apiHost} (or your CDN's host)`,
        ["public-read"],
      ),
    );
  }
}

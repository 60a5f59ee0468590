import { AWS_REGION, recognizeProvider } from "../../../mastodon-env/providers";
import { finding, type Finding, type Rule } from "../finding";

/**
 * The API endpoint confused with the media host. paperclip.rb passes `endpoint:` to the SDK only
 * `if ENV.has_key?('S3_ENDPOINT')`; S3_HOSTNAME only shapes public URLs. Without S3_ENDPOINT the SDK builds
 * `BUCKET.s3.REGION.amazonaws.com` from S3_REGION, so a non-AWS setup fails on every upload with "Failed to open
 * TCP connection to BUCKET.s3.REGION.amazonaws.com" (mastodon/mastodon#15177 Scaleway fr-par, #21853 region `de`,
 * #6974 MinIO fr-ovh). Two signs, each alone enough: S3_HOSTNAME names a provider that is not AWS, or S3_REGION
 * is not an AWS region (then the host the SDK builds does not exist).
 */
export const apiEndpoint: Rule = ({ env, values }) => {
  if (env.endpointPresent) return [];
  const found: Finding[] = [];
  // A scheme or path pasted into S3_HOSTNAME still names the host.
  const hostname = values
    .get("S3_HOSTNAME")
    ?.trim()
    .replace(/^[a-z][a-z0-9+.-]*:\/\//i, "");
  const named = hostname ? recognizeProvider(hostname.replace(/\/.*$/, "")) : undefined;
  const otherProvider = named && named.provider.id !== "aws" ? named : undefined;
  const awsHost = hostname ? /(^|\.)amazonaws\.com(\.cn)?$/i.test(hostname.replace(/[:/].*$/, "")) : false;
  const regionIsAws = AWS_REGION.test(env.region);
  if (!otherProvider && regionIsAws) return found;
  const sdkHost = `${env.bucket ?? "BUCKET"}.s3.${env.region || "REGION"}.amazonaws.com`;
  const endpoint = otherProvider
    ? (otherProvider.provider.endpointFor?.(otherProvider.region ?? env.region) ?? `https://${otherProvider.apiHost}`)
    : hostname && !awsHost
      ? `https://${hostname.replace(/\/.*$/, "")}`
      : undefined;
  const why = otherProvider
    ? `S3_HOSTNAME is ${otherProvider.provider.name}'s host, but S3_ENDPOINT is missing`
    : `S3_REGION=${env.region}${env.vars.S3_REGION.state === "absent" ? " (the default)" : ""} is not an AWS region and S3_ENDPOINT is missing`;
  found.push(
    finding(
      "endpoint-missing",
      "error",
      "S3_ENDPOINT",
      `${why}: Mastodon hands the SDK an endpoint only from S3_ENDPOINT (S3_HOSTNAME only shapes media URLs), so every upload goes to ${sdkHost}, which does not exist ("Failed to open TCP connection to ${sdkHost}")`,
      `add S3_ENDPOINT=${endpoint ?? "https://<your provider's S3 API host>"}${otherProvider || endpoint ? "" : " (the API host, not the media host)"}`,
      ["writer-upload", "writer-list", "writer-delete"],
    ),
  );
  return found;
};

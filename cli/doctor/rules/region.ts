import { finding, type Finding, type Rule } from "../finding";

/**
 * S3_REGION against the endpoint (`ENV.fetch('S3_REGION') { 'us-east-1' }`: the default only when absent). The
 * region signs every request (SigV4); providers whose host names a region (AWS, Spaces, B2, Wasabi, Scaleway,
 * Hetzner, Exoscale, OVH, Linode) want that region; R2 takes `auto` (or us-east-1); self-hosted servers
 * (MinIO, Garage, RGW) take whatever their operator configured, upper case included (MinIO's MINIO_SITE_REGION).
 */
export const region: Rule = ({ env, provider }) => {
  const found: Finding[] = [];
  const { quirks, name } = provider.provider;
  if (env.vars.S3_REGION.state === "empty") {
    found.push(
      finding(
        "region-empty",
        "error",
        "S3_REGION",
        "S3_REGION is present but empty: Mastodon passes an empty region to the SDK (the default us-east-1 applies only when the line is absent), which refuses to sign requests",
        `write S3_REGION=${provider.region ?? quirks.signingRegions?.[0] ?? "<the bucket's region>"}`,
        ["writer-upload"],
      ),
    );
    return found;
  }
  if (quirks.signingRegions) {
    if (!quirks.signingRegions.includes(env.region)) {
      found.push(
        finding(
          "region-mismatch",
          "error",
          "S3_REGION",
          `${name} signs with ${quirks.signingRegions.join(" or ")}, but S3_REGION=${env.region}${env.vars.S3_REGION.state === "absent" ? " (Mastodon's default)" : ""}: every request is refused`,
          `write S3_REGION=${quirks.signingRegions[0]}`,
          ["writer-upload", "region-endpoint"],
        ),
      );
    }
    return found;
  }
  if (quirks.regionInHost && provider.region && provider.region !== env.region) {
    const fromEndpoint = provider.provider.endpointFor?.(env.region);
    found.push(
      finding(
        "region-mismatch",
        "error",
        "S3_REGION",
        `S3_ENDPOINT is ${name} in ${provider.region} but S3_REGION=${env.region}${env.vars.S3_REGION.state === "absent" ? " (Mastodon's default, the line is missing)" : ""}: requests are signed for the wrong region, or go to a region where the bucket does not exist`,
        `write the pair of the bucket's region: S3_REGION=${provider.region} with S3_ENDPOINT=https://${provider.apiHost}${fromEndpoint ? `, or S3_REGION=${env.region} with S3_ENDPOINT=${fromEndpoint} if the bucket is in ${env.region}` : ""}`,
        ["writer-upload", "region-endpoint"],
      ),
    );
  }
  return found;
};

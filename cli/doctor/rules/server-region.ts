import { finding, type Finding, type Rule } from "../finding";

/**
 * Providers where the region is a server setting, not a location (mastodon-env/providers.ts
 * `regionSetting`): Garage signs and checks requests against `s3_region` of garage.toml (Garage docs,
 * "Configuration file format"; its quick start uses `garage`), MinIO against its site region (MinIO docs,
 * "MINIO_SITE_REGION"; unset accepts us-east-1), Ceph RGW against the zonegroup's api_name. S3_REGION must equal
 * that setting exactly, and doctor cannot read it: an info naming where to look; a warning on Garage when S3_REGION
 * is absent, since Mastodon then signs for us-east-1 (`ENV.fetch('S3_REGION') { 'us-east-1' }`), which Garage
 * refuses unless garage.toml says so.
 */
export const serverRegion: Rule = ({ env, provider }) => {
  const setting = provider.provider.quirks.regionSetting;
  if (!setting || env.vars.S3_REGION.state === "empty") return [];
  const found: Finding[] = [];
  const absent = env.vars.S3_REGION.state === "absent";
  const { name } = provider.provider;
  if (absent && setting.defaultValue && setting.defaultValue !== "us-east-1") {
    found.push(
      finding(
        "region-server-setting",
        "warning",
        "S3_REGION",
        `S3_REGION is absent, so Mastodon signs every request for us-east-1; ${name} accepts only the region in ${setting.name} (${setting.defaultValue} in its documented configuration), and refuses any other`,
        `write S3_REGION=<the value of ${setting.name}>, e.g. S3_REGION=${setting.defaultValue}`,
        ["writer-upload", "region-endpoint"],
      ),
    );
  } else {
    found.push(
      finding(
        "region-server-setting",
        "info",
        "S3_REGION",
        `on ${name} the region is a server setting, not a location: S3_REGION=${env.region}${absent ? " (Mastodon's default)" : ""} must equal ${setting.name} exactly (upper case included)${setting.defaultValue ? `; ${setting.defaultValue} when it is not set` : ""}`,
        `compare S3_REGION with ${setting.name}; verify signs with it and names a mismatch`,
      ),
    );
  }
  return found;
};

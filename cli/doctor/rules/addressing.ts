import { pathStyleAnyway } from "../../../mastodon-env/model";
import { finding, type Finding, type Rule } from "../finding";

/**
 * The addressing style of API calls, both ways. paperclip.rb: with S3_ENDPOINT, `force_path_style:
 * ENV['S3_OVERRIDE_PATH_STYLE'] != 'true'`, so calls go to `ENDPOINT/BUCKET/KEY` unless the override is exactly
 * `true`, which sends them to `BUCKET.ENDPOINT-HOST/KEY` (virtual-hosted style).
 * - Providers that refuse path style answer every call with an error (Alibaba Cloud OSS SecondLevelDomainForbidden,
 *   Tencent COS PathStyleDomainForbidden: their "use the AWS S3 SDK" docs; mastodon-env/providers.ts).
 * - With the override, the bucket becomes a DNS label of the endpoint host, except for an IP endpoint or a dotted
 *   bucket over https, where the SDK's endpoint rules keep path style (checked with @aws-sdk/client-s3, which shares
 *   aws-sdk-s3's rule set). Any other self-hosted host becomes `BUCKET.HOST`, which a
 *   server answers only when configured for it (MinIO MINIO_DOMAIN, Garage root_domain, Ceph rgw_dns_name: their
 *   docs), with DNS and a certificate for `*.HOST`: a warning, since doctor cannot see that setup.
 */
export const addressing: Rule = ({ env, values, provider }) => {
  const found: Finding[] = [];
  const raw = values.get("S3_OVERRIDE_PATH_STYLE");
  if (!env.endpoint) return found;
  let url: URL;
  try {
    url = new URL(env.endpoint);
  } catch {
    return found;
  }
  if (raw !== undefined && raw !== "true" && /^(true|1|yes|on)$/i.test(raw.trim())) {
    found.push(
      finding(
        "override-path-style-value",
        "warning",
        "S3_OVERRIDE_PATH_STYLE",
        `S3_OVERRIDE_PATH_STYLE=${raw} leaves path style on: Mastodon compares the value with the string "true"`,
        "write S3_OVERRIDE_PATH_STYLE=true, or remove the line to keep path style",
      ),
    );
  }
  const refused = provider.provider.quirks.pathStyleRefused;
  if (env.forcePathStyle && refused) {
    found.push(
      finding(
        "path-style-refused",
        "error",
        "S3_OVERRIDE_PATH_STYLE",
        `with S3_ENDPOINT set, Mastodon calls ${provider.provider.name} in path style (${url.host}/${env.bucket ?? "BUCKET"}/KEY), which it refuses with ${refused.error}: every upload fails`,
        `add S3_OVERRIDE_PATH_STYLE=true (virtual-hosted calls to ${env.bucket ?? "BUCKET"}.${provider.apiHost})`,
        ["writer-upload", "writer-list", "writer-delete"],
      ),
    );
  }
  if (env.forcePathStyle) return found;
  const host = url.hostname.replace(/^\[|\]$/g, "");
  const bucket = env.bucket ?? "BUCKET";
  // Where the SDK keeps path style anyway (an IP endpoint, a dotted bucket over https), the override changes nothing.
  if (pathStyleAnyway(env.endpoint, bucket)) return found;
  const selfHosted = ["minio", "garage", "rgw", "self-hosted"].includes(provider.provider.id) || !host.includes(".");
  if (selfHosted) {
    found.push(
      finding(
        "virtual-host-style-self-hosted",
        "warning",
        "S3_OVERRIDE_PATH_STYLE",
        `S3_OVERRIDE_PATH_STYLE=true makes Mastodon call ${bucket}.${host}${url.port ? `:${url.port}` : ""} instead of ${host}/${bucket}: ${!host.includes(".") ? `a single-label name such as ${host} has no such subdomain in most resolvers, and ` : ""}a self-hosted server answers it only with a DNS record for *.${host}, ${url.protocol === "https:" ? `a certificate for *.${host}, ` : ""}and its own domain setting (MinIO MINIO_DOMAIN, Garage root_domain, Ceph rgw_dns_name); otherwise every call fails`,
        `remove S3_OVERRIDE_PATH_STYLE (path style works on every self-hosted server), or check that ${url.protocol}//${bucket}.${host}${url.port ? `:${url.port}` : ""}/ answers (verify does)`,
        ["writer-upload", "writer-list", "writer-delete"],
      ),
    );
  }
  return found;
};

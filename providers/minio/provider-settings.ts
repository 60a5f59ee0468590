import type { MinioStackConfig } from "../../components/config";
import { bestEffortParse } from "../../components/config/best-effort";
import { minioBlock } from "../../components/config/minio";
import type { ConfigIssue } from "../../components/errors";

/** The stack config (`namespace:key` -> string) and the environment the MinIO provider plugin also reads. */
export interface ProviderSettingsSource {
  config: Readonly<Record<string, string>>;
  env: Readonly<Record<string, string | undefined>>;
}

/** The provider's own default region (terraform-provider-minio, `minio_region`). */
const PROVIDER_DEFAULT_REGION = "us-east-1";

/**
 * The MinIO provider connects to the server named by its own `minio:*` keys (else MINIO_ENDPOINT and
 * MINIO_ENABLE_HTTPS), not to `mastodon-media:minio.endpoint`. When the two disagree, the bucket and the writer
 * would be created on one server while `.env.production` sends Mastodon to another: say so before anything
 * is registered.
 */
export function providerSettingsIssues(
  minio: MinioStackConfig["minio"],
  source: ProviderSettingsSource,
): ConfigIssue[] {
  return [...endpointSettingsIssues(minio.endpoint, source), ...regionSettingsIssues(minio.region, source)];
}

/**
 * The same checks on the stack's raw `mastodon-media:minio` block, in the same run as the schema's: each
 * check runs when its own key parses (a key that does not has its own issue already).
 */
export function providerSettingsIssuesOfRaw(block: unknown, source: ProviderSettingsSource): ConfigIssue[] {
  const { endpoint, region } = bestEffortParse(minioBlock, block) as { endpoint?: unknown; region?: unknown };
  return [
    ...(minioBlock.shape.endpoint.safeParse(endpoint).success
      ? endpointSettingsIssues(endpoint as string, source)
      : []),
    ...(minioBlock.shape.region.safeParse(region).success ? regionSettingsIssues(region as string, source) : []),
  ];
}

function endpointSettingsIssues(endpoint: string, source: ProviderSettingsSource): ConfigIssue[] {
  const url = new URL(endpoint);
  const expected = url.host;
  const issues: ConfigIssue[] = [];
  const endpointIssue = (message: string) => issues.push({ path: "minio.endpoint", message, value: endpoint });

  const server =
    setting(source.config["minio:minioServer"], "minio:minioServer") ??
    setting(source.env.MINIO_ENDPOINT, "MINIO_ENDPOINT");
  if (server === undefined) {
    endpointIssue(
      `needs the MinIO provider pointed at the same server: set minio:minioServer to ${expected} (or export MINIO_ENDPOINT)`,
    );
  } else if (/^[a-z][a-z0-9+.-]*:\/\//i.test(server.value) || /[/?#]/.test(server.value)) {
    endpointIssue(`needs ${server.from} as host:port without scheme or path (${expected}), not ${server.value}`);
  } else if (!sameHost(url, server.value)) {
    endpointIssue(
      `is not the server the MinIO provider connects to (${server.from} = ${server.value}): the bucket would be created ` +
        `there while Mastodon uses this one; set ${server.from} to ${expected}`,
    );
  }

  const sslSetting =
    setting(source.config["minio:minioSsl"], "minio:minioSsl") ??
    setting(source.env.MINIO_ENABLE_HTTPS, "MINIO_ENABLE_HTTPS");
  const https = url.protocol === "https:";
  const ssl = sslSetting ? parseBool(sslSetting.value) : false;
  if (sslSetting && ssl === undefined) {
    endpointIssue(`needs ${sslSetting.from} to be true or false (got ${sslSetting.value})`);
  } else if (https && !ssl) {
    endpointIssue("uses https, but the MinIO provider would connect without TLS: set minio:minioSsl to true");
  } else if (!https && sslSetting && ssl) {
    endpointIssue(
      `uses http, but the MinIO provider would connect with TLS (${sslSetting.from} is true): set minio:minioSsl to false`,
    );
  }
  return issues;
}

function regionSettingsIssues(region: string, source: ProviderSettingsSource): ConfigIssue[] {
  const issues: ConfigIssue[] = [];

  const providerRegion =
    setting(source.config["minio:minioRegion"], "minio:minioRegion")?.value ?? PROVIDER_DEFAULT_REGION;
  if (providerRegion !== region) {
    issues.push({
      path: "minio.region",
      message:
        `differs from the MinIO provider's region (minio:minioRegion = ${providerRegion}): ` +
        "both must be the server's region (MINIO_SITE_REGION)",
      value: region,
    });
  }
  return issues;
}

function setting(value: string | undefined, from: string): { value: string; from: string } | undefined {
  return value === undefined || value === "" ? undefined : { value, from };
}

/** The same host and port, the port defaulting by the endpoint's scheme as the MinIO client does. */
function sameHost(endpoint: URL, server: string): boolean {
  try {
    return new URL(`${endpoint.protocol}//${server}`).host === endpoint.host;
  } catch {
    return false;
  }
}

/** Go's strconv.ParseBool, which the provider applies to these values. */
function parseBool(value: string): boolean | undefined {
  if (["1", "t", "T", "true", "TRUE", "True"].includes(value)) return true;
  if (["0", "f", "F", "false", "FALSE", "False"].includes(value)) return false;
  return undefined;
}

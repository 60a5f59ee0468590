import type { ProviderName, StackConfig, StackConfigOf } from "../components/config";
import type { MediaStorageOutputs } from "../components/contract";
import type { ConfigIssue } from "../components/errors";

/** What index.ts needs from a provider component: the common outputs. */
export interface MediaStorage {
  readonly outputs: MediaStorageOutputs;
}

export type MediaStorageFactory<P extends ProviderName> = (
  name: string,
  config: StackConfigOf<P>,
) => Promise<MediaStorage>;

/**
 * Each provider is loaded only when its stack is planned or deployed, so a stack pays for one provider SDK
 * (`npm run bench` lists the provider SDKs each plan loaded: docs/performance.md).
 */
const factories: { [P in ProviderName]: () => Promise<MediaStorageFactory<P>> } = {
  aws: async () => (await import("./aws")).createMediaStorage,
  cloudflare: async () => (await import("./cloudflare")).createMediaStorage,
  digitalocean: async () => (await import("./digitalocean")).createMediaStorage,
  minio: async () => (await import("./minio")).createMediaStorage,
};

export async function createMediaStorage(name: string, config: StackConfig): Promise<MediaStorage> {
  const factory = (await factories[config.provider]()) as MediaStorageFactory<ProviderName>;
  return factory(name, config as StackConfigOf<ProviderName>);
}

/** The stack's whole config (`namespace:key` -> string) and the environment, which provider plugins also read. */
export interface ProviderSettingsSource {
  config: Readonly<Record<string, string>>;
  env: Readonly<Record<string, string | undefined>>;
}

/**
 * The checks of a provider plugin's own settings against this project's keys, where a provider has them
 * (MinIO: the server and region the plugin connects to). They read the raw config, so that index.ts reports
 * them with every other bad key in one run. Loads no provider SDK.
 */
const settingsChecks: Partial<
  Record<ProviderName, () => Promise<(raw: Record<string, unknown>, source: ProviderSettingsSource) => ConfigIssue[]>>
> = {
  minio: async () => {
    const { providerSettingsIssuesOfRaw } = await import("./minio/provider-settings");
    return (raw, source) => providerSettingsIssuesOfRaw(raw.minio, source);
  },
};

export async function providerSettingsIssues(
  raw: Record<string, unknown>,
  source: ProviderSettingsSource,
): Promise<ConfigIssue[]> {
  const check = settingsChecks[raw.provider as ProviderName];
  return check ? (await check())(raw, source) : [];
}

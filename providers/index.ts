import type { ProviderName, StackConfig, StackConfigOf } from "../components/config";
import type { MediaStorageOutputs } from "../components/contract";

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
 * (DESIGN.md principle 7).
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

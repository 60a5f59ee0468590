import type { MediaStorageFactory } from "..";
import { CloudflareMediaStorage } from "./media-storage";

export { CloudflareMediaStorage, type CloudflareMediaStorageArgs } from "./media-storage";

export const createMediaStorage: MediaStorageFactory<"cloudflare"> = async (name, config) =>
  new CloudflareMediaStorage(name, { config });

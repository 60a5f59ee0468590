import type { MediaStorageFactory } from "..";
import { DigitalOceanMediaStorage } from "./media-storage";

export { DigitalOceanMediaStorage, type DigitalOceanMediaStorageArgs } from "./media-storage";

export const createMediaStorage: MediaStorageFactory<"digitalocean"> = async (name, config) =>
  new DigitalOceanMediaStorage(name, { config });

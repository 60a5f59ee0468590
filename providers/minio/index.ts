import type { MediaStorageFactory } from "..";
import { MinioMediaStorage } from "./media-storage";

export { MinioMediaStorage, type MinioMediaStorageArgs } from "./media-storage";

// The MinIO provider's own `minio:*` keys are checked with the rest of the config, before this runs
// (providers/index.ts, providerSettingsIssues).
export const createMediaStorage: MediaStorageFactory<"minio"> = async (name, config) =>
  new MinioMediaStorage(name, { config });

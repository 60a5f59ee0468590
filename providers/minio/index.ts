import * as pulumi from "@pulumi/pulumi";
import type { MediaStorageFactory } from "..";
import { ConfigError } from "../../components/errors";
import { MinioMediaStorage } from "./media-storage";
import { providerSettingsIssues } from "./provider-settings";

export { MinioMediaStorage, type MinioMediaStorageArgs } from "./media-storage";

export const createMediaStorage: MediaStorageFactory<"minio"> = async (name, config) => {
  // The MinIO provider reads its own `minio:*` keys: they must name the server the env block names.
  const issues = providerSettingsIssues(config.minio, { config: pulumi.runtime.allConfig(), env: process.env });
  if (issues.length > 0) throw new ConfigError(issues);
  return new MinioMediaStorage(name, { config });
};

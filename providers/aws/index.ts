import type { MediaStorageFactory } from "..";
import { AwsMediaStorage } from "./media-storage";

export { AwsMediaStorage, type AwsMediaStorageArgs } from "./media-storage";

export const createMediaStorage: MediaStorageFactory<"aws"> = async (name, config) => {
  // Only a stack whose media DNS is on Cloudflare pays for loading the Cloudflare SDK.
  const cloudflare = config.aws.dns.type === "cloudflare" ? await import("../cloudflare/sdk") : undefined;
  return new AwsMediaStorage(name, { config, cloudflare });
};

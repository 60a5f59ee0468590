import * as cloudflare from "./sdk";
import type { MediaStorageFactory } from "..";
import { assertNoForeignEntryPoints } from "./entry-points";
import { CloudflareMediaStorage } from "./media-storage";

export { CloudflareMediaStorage, type CloudflareMediaStorageArgs } from "./media-storage";

/**
 * Looks at the zone's rulesets first: an entry point of a phase this stack owns, made by someone else, stops the
 * deploy with its id before any resource is registered (providers/cloudflare/entry-points.ts).
 */
export const createMediaStorage: MediaStorageFactory<"cloudflare"> = async (name, config) => {
  const { zoneId } = config.cloudflare;
  const { rulesets } = await cloudflare.getRulesets({ zoneId });
  assertNoForeignEntryPoints(zoneId, config.mediaDomain ?? "the media host", rulesets);
  return new CloudflareMediaStorage(name, { config });
};

import * as cloudflare from "./sdk";
import type { MediaStorageFactory } from "..";
import * as pulumi from "@pulumi/pulumi";
import { assertNoForeignEntryPoints, unmarkedEntryPoints } from "./entry-points";
import { currentStackId } from "./stack-id";
import { isInZone, previousBasesOutsideZone } from "./zone-hosts";
import { CloudflareMediaStorage } from "./media-storage";

export { CloudflareMediaStorage, type CloudflareMediaStorageArgs } from "./media-storage";

/**
 * Looks at the zone's rulesets first: an entry point of a phase this stack owns, made by someone else or for
 * another stack, stops the deploy with its id before any resource is registered (providers/cloudflare/entry-points.ts).
 */
export const createMediaStorage: MediaStorageFactory<"cloudflare"> = async (name, config) => {
  const { zoneId } = config.cloudflare;
  const { rulesets } = await cloudflare.getRulesets({ zoneId });
  const stackId = currentStackId();
  assertNoForeignEntryPoints(zoneId, config.mediaDomain ?? "the media host", rulesets, stackId);
  for (const ruleset of unmarkedEntryPoints(rulesets, stackId)) {
    pulumi.log.warn(
      `The ${ruleset.phase} entry point ${ruleset.id} of zone ${zoneId} was made by mastodon-media before rulesets named ` +
        `their stack: taken as this stack's (${stackId}). If it is another stack's, this update fails when it creates ` +
        "that ruleset; otherwise it now writes this stack's mark into the ruleset's description.",
    );
  }
  let zoneHosts = (_host: string) => false;
  if (config.cloudflare.redirectPreviousMediaDomains) {
    const zone = await cloudflare.getZone({ zoneId });
    zoneHosts = (host) => isInZone(host, zone.name);
    for (const base of previousBasesOutsideZone(config.previousMediaDomains, zone.name)) {
      pulumi.log.warn(
        `previousMediaDomains: ${base} is not in the zone ${zone.name} (cloudflare.zoneId), so its redirect never runs: ` +
          "the zone's rules see only its own hosts. Keep that host answering with a redirect of its own (docs/migrating.md).",
      );
    }
  }
  return new CloudflareMediaStorage(name, { config, stackId, zoneHosts });
};

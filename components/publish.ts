import type * as pulumi from "@pulumi/pulumi";
import type { StackConfig } from "./config";
import { storageOutputs, type MediaStorageOutputs, type StorageFacts } from "./contract";
import { createMediaUrlAnchors } from "./media-url-anchors";
import { anchoredMediaBases } from "./media-urls";
import { createSelfCheck, type SelfCheckArgs } from "./self-check";

/** What only the provider knows: how Mastodon reaches the API and the media host, and the writer's key. */
export type ProviderFacts = Omit<StorageFacts, "bucket" | "keyPrefix" | "extraMediaHosts">;

/** When the storage is ready to serve media, and what must re-run the live checks when it changes. */
export type Readiness = Pick<SelfCheckArgs, "triggers" | "dependsOn" | "expectCname" | "previousMediaBase">;

/**
 * The common ending of every provider component: the contract's outputs from the config and the provider's
 * facts, the anchors that keep the media URLs from changing unnoticed (components/media-url-anchors.ts), and
 * (unless `selfCheck` is off) the live checks once everything in `readiness` is in place.
 */
export function publishMediaStorage(
  component: pulumi.ComponentResource,
  name: string,
  config: StackConfig,
  facts: ProviderFacts,
  readiness: Readiness,
): MediaStorageOutputs {
  const outputs = storageOutputs({
    ...facts,
    bucket: config.bucket,
    keyPrefix: config.keyPrefix,
    extraMediaHosts: config.extraMediaHosts,
  });
  createMediaUrlAnchors(name, { bases: anchoredMediaBases(config), environment: config.environment }, component);
  if (config.selfCheck) {
    createSelfCheck(
      name,
      { envProduction: outputs.envProduction, origin: `https://${config.webDomain}`, ...readiness },
      component,
    );
  }
  return outputs;
}

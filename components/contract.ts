import * as pulumi from "@pulumi/pulumi";
import type { CacheBusterInput } from "./cache-buster";
import { mediaBaseUrl, renderEnv, type EnvFacts } from "./env";

/** A DNS record the user must create by hand (when this stack does not manage the zone). */
export interface DnsRecordSpec {
  name: string;
  type: "CNAME" | "A" | "AAAA" | "TXT";
  value: string;
  /** Why it is needed, e.g. "certificate validation". */
  purpose: string;
}

/**
 * What every provider component knows about the storage it built: the env facts with the credential and
 * the alias host still as Outputs. Among them the provider's ACL mode (`aclMode`: `no-acl` or `object-acl`),
 * which each component declares and the one renderer (components/env.ts `renderEnv`) turns into S3_PERMISSION.
 */
export type StorageFacts = Omit<EnvFacts, "accessKeyId" | "secretAccessKey" | "aliasHost" | "cacheBuster"> & {
  aliasHost?: pulumi.Input<string>;
  accessKeyId: pulumi.Input<string>;
  secretAccessKey: pulumi.Input<string>;
  /** Set only where the media host's edge acts on Mastodon's bust request (components/cache-buster.ts). */
  cacheBuster?: CacheBusterInput;
};

/** The stack outputs every provider exposes (docs/configuration.md, "Stack outputs"). */
export interface MediaStorageOutputs {
  /** The exact `.env.production` block. Secret: it holds the writer's key. */
  envProduction: pulumi.Output<string>;
  bucket: pulumi.Output<string>;
  region: pulumi.Output<string>;
  /** Where media is served, e.g. https://files.example.com. */
  mediaBaseUrl: pulumi.Output<string>;
  /** The CDN's own host name (CloudFront, DigitalOcean CDN), when there is a CDN. */
  cdnDomain?: pulumi.Output<string>;
  /** Records to create by hand when DNS is not managed by this stack. */
  dnsRecords?: pulumi.Output<DnsRecordSpec[]>;
  /**
   * What a takedown needs on this stack (plain text, shown by the plan): how deleted media leaves the CDN's
   * cache, what it costs, what Mastodon never busts (docs/takedowns.md).
   */
  takedowns?: pulumi.Output<string>;
  /** Provider-specific outputs, e.g. MinIO's nginx server block. */
  [extra: string]: pulumi.Output<unknown> | undefined;
}

/** The common outputs, computed from the facts in one place for every provider. */
export function storageOutputs(facts: StorageFacts): MediaStorageOutputs {
  const env = pulumi
    .all([facts.aliasHost, facts.accessKeyId, facts.secretAccessKey, facts.cacheBuster?.secret])
    .apply(([aliasHost, accessKeyId, secretAccessKey, bustSecret]) => ({
      ...facts,
      aliasHost,
      accessKeyId,
      secretAccessKey,
      cacheBuster:
        facts.cacheBuster && bustSecret !== undefined ? { ...facts.cacheBuster, secret: bustSecret } : undefined,
    }));
  return {
    envProduction: pulumi.secret(env.apply(renderEnv)),
    bucket: pulumi.output(facts.bucket),
    region: pulumi.output(facts.region),
    mediaBaseUrl: pulumi.output(facts.aliasHost).apply((aliasHost) => mediaBaseUrl({ ...facts, aliasHost })),
  };
}

/** The component type token, `mastodon-media:<provider>:MediaStorage`. */
export function mediaStorageType(provider: string): string {
  return `mastodon-media:${provider}:MediaStorage`;
}

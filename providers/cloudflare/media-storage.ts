import * as pulumi from "@pulumi/pulumi";
import { cdnPurgeOutput } from "../../components/cdn-purge";
import type { CloudflareStackConfig } from "../../components/config";
import { mediaStorageType, type MediaStorageOutputs } from "../../components/contract";
import { publishMediaStorage } from "../../components/publish";
import { createMediaBucket } from "./bucket";
import { createMediaDomains } from "./domains";
import { R2_REGION, r2ApiHost, r2Endpoint } from "./endpoint";
import { createMediaEdge } from "./edge";
import { createPrivateKeysGuard } from "./guard";
import { previousMediaRedirectRules } from "./previous-media-redirect";
import { createPreviousHostRecords, previousHosts } from "./previous-host-records";
import { createWriter } from "./writer";
import { createCacheBuster } from "../../components/cache-buster-secret";
import { cloudflareTakedownNotes } from "../../components/takedowns";
import { createCacheBusterWorker } from "./cache-buster";

export interface CloudflareMediaStorageArgs {
  config: CloudflareStackConfig;
  /** ORG/PROJECT/STACK (providers/cloudflare/stack-id.ts): marks the zone rulesets as this stack's. */
  stackId: string;
  /** Whether a host is in the zone (providers/cloudflare/zone-hosts.ts); previous hosts outside it get no record. */
  zoneHosts: (host: string) => boolean;
}

/**
 * Mastodon media on Cloudflare R2: a bucket served on the media host through an R2 custom domain (TLS 1.2+),
 * a WAF rule keeping the private keys off that host, CORS, HSTS and nosniff set at the edge after the cache, plain
 * HTTP redirected to HTTPS, the r2.dev URL off, and a token that may only touch the objects of this bucket.
 */
export class CloudflareMediaStorage extends pulumi.ComponentResource {
  readonly outputs: MediaStorageOutputs;

  constructor(name: string, args: CloudflareMediaStorageArgs, opts: pulumi.ComponentResourceOptions = {}) {
    super(mediaStorageType("cloudflare"), name, {}, opts);
    const { config } = args;
    const { accountId, zoneId, jurisdiction } = config.cloudflare;
    const mediaDomain = config.mediaDomain;
    if (mediaDomain === undefined) {
      // The config schema requires it for cloudflare; reaching this is a bug, not a user error.
      throw new Error("CloudflareMediaStorage: mediaDomain is required (the config schema should have said so)");
    }

    const { bucket, cors } = createMediaBucket(name, config, this);
    const guard = createPrivateKeysGuard(name, zoneId, mediaDomain, args.stackId, this);
    const previous = config.cloudflare.redirectPreviousMediaDomains
      ? previousMediaRedirectRules(config.previousMediaDomains, mediaDomain, config.keyPrefix)
      : [];
    const edge = createMediaEdge(name, zoneId, mediaDomain, config.corsOrigins, args.stackId, this, previous);
    // The media host goes live only once the guard on private keys and its HTTPS redirect are in place.
    const { customDomain, managedDomain } = createMediaDomains(
      name,
      { config, mediaDomain, bucketName: bucket.name, dependsOn: [guard, edge.httpsRedirect] },
      this,
    );
    let previousRecords: pulumi.Resource[] = [];
    let previousMediaBase: string | undefined;
    if (config.cloudflare.redirectPreviousMediaDomains) {
      const hosts = previousHosts(config.previousMediaDomains, mediaDomain).filter((host) => args.zoneHosts(host));
      previousRecords = createPreviousHostRecords(name, { zoneId, hosts, after: customDomain }, this);
      // The self-check follows one old URL to its 301 (live-checks/checks/previous-media-redirect.ts).
      previousMediaBase = config.previousMediaDomains.find((base) => {
        const host = base.split("/")[0] ?? "";
        return host === mediaDomain || args.zoneHosts(host);
      });
    }
    const writer = createWriter(name, config, bucket.name, this);
    // Opt-in (components/config/cloudflare.ts cacheBuster): without it no Worker, no purge token, no CACHE_BUSTER_* lines.
    const cacheBuster = config.cloudflare.cacheBuster ? createCacheBuster(name, this) : undefined;
    const bustWorker = cacheBuster
      ? createCacheBusterWorker(name, { accountId, zoneId, mediaDomain, cacheBuster }, this)
      : undefined;

    const outputs = publishMediaStorage(
      this,
      name,
      config,
      {
        region: R2_REGION,
        endpoint: r2Endpoint(accountId, jurisdiction),
        hostname: r2ApiHost(accountId, jurisdiction),
        aliasHost: mediaDomain,
        protocol: "https",
        accessKeyId: writer.accessKeyId,
        secretAccessKey: writer.secretAccessKey,
        checksumsOnlyWhenRequired: true,
        // R2 has no ACLs and answers 501 to the x-amz-acl header; the custom domain serves the public.
        aclMode: "no-acl",
        ...(cacheBuster ? { cacheBuster } : {}),
      },
      {
        triggers: [
          customDomain.domain,
          customDomain.minTls,
          cors.rules,
          writer.token.id,
          guard.rules,
          edge.headers.rules,
          edge.httpsRedirect.rules,
        ],
        dependsOn: [
          customDomain,
          cors,
          writer.token,
          guard,
          edge.headers,
          edge.httpsRedirect,
          ...(bustWorker ? [bustWorker.route] : []),
          ...previousRecords,
        ],
        ...(previousMediaBase ? { previousMediaBase } : {}),
      },
    );
    outputs.takedowns = pulumi.output(cloudflareTakedownNotes(cacheBuster !== undefined));
    if (config.cloudflare.r2DevDomain) outputs.r2DevDomain = managedDomain.domain;
    outputs.cdnPurge = cdnPurgeOutput({ cdn: "cloudflare", zoneId }, outputs.mediaBaseUrl, config.keyPrefix);
    this.outputs = outputs;
    this.registerOutputs(outputs);
  }
}

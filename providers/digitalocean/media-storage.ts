import * as pulumi from "@pulumi/pulumi";
import { cdnPurgeOutput } from "../../components/cdn-purge";
import type { DigitalOceanStackConfig } from "../../components/config";
import { mediaStorageType, type MediaStorageOutputs } from "../../components/contract";
import { publishMediaStorage } from "../../components/publish";
import { createSpacesBucket } from "./bucket";
import { createCdn } from "./cdn";
import { spacesStorageFacts } from "./endpoints";
import { mediaDomainTls } from "./tls";
import { spacesTakedownNotes } from "../../components/takedowns";
import { createWriter } from "./writer";

export interface DigitalOceanMediaStorageArgs {
  config: DigitalOceanStackConfig;
}

/**
 * Mastodon media on DigitalOcean Spaces behind the Spaces CDN: a bucket that lists nothing, public read through
 * the object ACLs Mastodon sends (object-ACL mode: no bucket policy, which a per-bucket key forbids), a Spaces
 * key limited to this bucket, and the media domain with its certificate.
 *
 * The Spaces resources (bucket, CORS) are signed with the provider's own Spaces key
 * (`digitalocean:spacesAccessId` / `digitalocean:spacesSecretKey`); the writer key and the CDN use the API token.
 */
export class DigitalOceanMediaStorage extends pulumi.ComponentResource {
  readonly outputs: MediaStorageOutputs;

  constructor(name: string, args: DigitalOceanMediaStorageArgs, opts: pulumi.ComponentResourceOptions = {}) {
    super(mediaStorageType("digitalocean"), name, {}, opts);
    const { config } = args;
    const tls = mediaDomainTls(config);

    const { bucket, cors } = createSpacesBucket(name, config, this);
    const writer = createWriter(name, bucket, this);
    const { cdn, mediaHost, dnsRecords } = createCdn(name, { bucket, tls, ttl: config.digitalocean.cdnTtl }, this);

    const outputs = publishMediaStorage(
      this,
      name,
      config,
      spacesStorageFacts(config.digitalocean.region, mediaHost, writer),
      {
        triggers: [bucket.acl, cors.corsRules, cdn.id, cdn.customDomain, cdn.certificateName, writer.key.grants],
        dependsOn: [bucket, cors, cdn, writer.key],
      },
    );
    outputs.cdnDomain = cdn.endpoint;
    outputs.takedowns = pulumi.output(spacesTakedownNotes(config.digitalocean.cdnTtl));
    outputs.cdnPurge = cdnPurgeOutput(
      cdn.id.apply((endpointId) => ({ cdn: "digitalocean" as const, endpointId })),
      outputs.mediaBaseUrl,
      config.keyPrefix,
    );
    if (dnsRecords) outputs.dnsRecords = dnsRecords;
    this.outputs = outputs;
    this.registerOutputs(outputs);
  }
}

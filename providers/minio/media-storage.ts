import * as pulumi from "@pulumi/pulumi";
import { cdnPurgeOutput } from "../../components/cdn-purge";
import type { MinioStackConfig } from "../../components/config";
import { mediaStorageType, type MediaStorageOutputs } from "../../components/contract";
import { publishMediaStorage } from "../../components/publish";
import { createMediaBucket } from "./bucket";
import { minioEndpoint } from "./endpoint";
import { nginxServerBlock } from "./nginx";
import { nginxCacheBusterMap } from "./nginx-cache";
import { createCacheBuster } from "../../components/cache-buster-secret";
import { minioTakedownNotes } from "../../components/takedowns";
import { createWriter } from "./writer";

export interface MinioMediaStorageArgs {
  config: MinioStackConfig;
}

/**
 * Mastodon media on a self-hosted MinIO: a bucket whose policy lets anyone read the public prefixes and nothing
 * else, a writer limited to the core's five actions, and, when a media domain is given, the nginx server block
 * of the reverse proxy that serves it (stack output `nginxConfig`).
 */
export class MinioMediaStorage extends pulumi.ComponentResource {
  readonly outputs: MediaStorageOutputs;

  constructor(name: string, args: MinioMediaStorageArgs, opts: pulumi.ComponentResourceOptions = {}) {
    super(mediaStorageType("minio"), name, {}, opts);
    const { config } = args;
    const { mediaDomain } = config;
    const endpoint = minioEndpoint(config.minio.endpoint, mediaDomain);

    const { policy: bucketPolicy } = createMediaBucket(name, config, this);
    const writer = createWriter(name, config.bucket, config.keyPrefix, this);
    // Only the nginx proxy of a media domain caches, so only it has something to bust.
    const cacheBuster = mediaDomain !== undefined ? createCacheBuster(name, this) : undefined;

    const outputs = publishMediaStorage(
      this,
      name,
      config,
      {
        region: config.minio.region,
        ...endpoint,
        aliasHost: mediaDomain,
        accessKeyId: writer.accessKeyId,
        secretAccessKey: writer.secretAccessKey,
        checksumsOnlyWhenRequired: true,
        // The bucket policy reads the public prefixes.
        aclMode: "no-acl",
        cacheBuster,
      },
      {
        triggers: [bucketPolicy.policy, writer.policy.policy, writer.attachment.policyName],
        dependsOn: [bucketPolicy, writer.attachment],
      },
    );
    if (mediaDomain !== undefined) {
      outputs.nginxConfig = pulumi.output(
        nginxServerBlock({
          mediaDomain,
          endpoint: endpoint.endpoint,
          bucket: config.bucket,
          keyPrefix: config.keyPrefix,
          corsOrigins: config.corsOrigins,
          resolver: config.minio.nginxResolver,
        }),
      );
      // The secret's own file, included by the map of nginxConfig (providers/minio/nginx-cache.ts).
      outputs.nginxCacheBusterMap = pulumi.secret(pulumi.output(cacheBuster?.secret ?? "").apply(nginxCacheBusterMap));
    } else if (!config.corsOrigins.includes("*")) {
      // Without the proxy, MinIO answers CORS itself, with its server-wide setting.
      pulumi.log.warn(
        `corsOrigins takes effect only on the nginx proxy of a media domain; MinIO serving media itself answers with its ` +
          `server-wide setting: mc admin config set ALIAS api cors_allow_origin=${config.corsOrigins.join(",")}`,
        this,
      );
    }
    outputs.takedowns = pulumi.output(minioTakedownNotes(mediaDomain));
    if (mediaDomain !== undefined)
      outputs.cdnPurge = cdnPurgeOutput({ cdn: "nginx" }, outputs.mediaBaseUrl, config.keyPrefix);
    this.outputs = outputs;
    this.registerOutputs(outputs);
  }
}

import * as pulumi from "@pulumi/pulumi";
import { cdnPurgeOutput } from "../../components/cdn-purge";
import * as aws from "./sdk";
import type * as cloudflareSdk from "../cloudflare/sdk";
import type { AwsStackConfig } from "../../components/config";
import { mediaStorageType, type DnsRecordSpec, type MediaStorageOutputs } from "../../components/contract";
import { publicReadPolicy } from "../../components/policy-documents";
import { createDnsNotice } from "../../components/dns-notice";
import { programDnsStatusLine } from "../../components/dns-status";
import { publishMediaStorage } from "../../components/publish";
import { createPrivateBucket } from "./bucket";
import { createCacheBuster } from "../../components/cache-buster-secret";
import { awsTakedownNotes } from "../../components/takedowns";
import { createCacheBusterEdge, grantCacheBuster } from "./cache-buster";
import { createCertificate } from "./certificate";
import { createDistribution } from "./distribution";
import { dnsZone } from "./dns";
import { createWriter } from "./writer";

export interface AwsMediaStorageArgs {
  config: AwsStackConfig;
  /** Loaded by the factory only when the media domain's DNS is on Cloudflare. */
  cloudflare?: typeof cloudflareSdk;
}

/**
 * Mastodon media on S3 behind CloudFront: a private bucket read only by one distribution (OAC), a writer
 * limited to five actions on the bucket, an ACM certificate in us-east-1 and the media domain's records.
 */
export class AwsMediaStorage extends pulumi.ComponentResource {
  readonly outputs: MediaStorageOutputs;

  constructor(name: string, args: AwsMediaStorageArgs, opts: pulumi.ComponentResourceOptions = {}) {
    super(mediaStorageType("aws"), name, {}, opts);
    const { config } = args;
    // The schema guarantees it for aws (a media domain is chosen once: every URL other servers hold points at it).
    const mediaDomain = config.mediaDomain as string;
    const external = config.aws.dns.type === "external";
    const zone = dnsZone(config.aws.dns, this, args.cloudflare);

    const { bucket, publicAccessBlock, cors } = createPrivateBucket(name, config, this);
    const writer = createWriter(name, config.bucket, config.keyPrefix, this);
    const certificate = config.aws.certificateArn
      ? {
          certificateArn: pulumi.output(config.aws.certificateArn),
          validationRecords: pulumi.output<DnsRecordSpec[]>([]),
        }
      : createCertificate(name, mediaDomain, zone, external, this);
    const cacheBuster = createCacheBuster(name, this);
    const bustEdge = createCacheBusterEdge(name, { region: config.aws.region, cacheBuster }, this);
    const { distribution } = createDistribution(
      name,
      { config, mediaDomain, bucket, certificateArn: certificate.certificateArn, cacheBuster: bustEdge },
      this,
    );
    const bustGrants = grantCacheBuster(name, bustEdge, distribution, config.aws.region, this);

    // Last node of the graph (bucket -> distribution -> policy): the policy names the distribution's ARN.
    const bucketPolicy = new aws.s3.BucketPolicy(
      `${name}-bucket-policy`,
      {
        bucket: bucket.bucket,
        region: config.aws.region,
        policy: distribution.arn.apply((distributionArn) =>
          JSON.stringify(publicReadPolicy(config.bucket, { kind: "cloudfront", distributionArn }, config.keyPrefix)),
        ),
      },
      // Both touch the bucket's policy state: in parallel S3 answers OperationAborted (pulumi-aws#1570).
      { parent: this, dependsOn: [publicAccessBlock] },
    );
    const mediaRecords = zone.mediaRecords(`${name}-dns`, mediaDomain, distribution);
    const mediaCname = distribution.domainName.apply((cdnDomain): DnsRecordSpec[] => [
      { name: mediaDomain, type: "CNAME", value: cdnDomain, purpose: "media domain -> CloudFront" },
    ]);
    // External DNS: the user points the media domain at CloudFront; say so as soon as CloudFront's name is known.
    if (external) createDnsNotice(`${name}-dns-notice`, mediaCname, this);

    const outputs = publishMediaStorage(
      this,
      name,
      config,
      {
        region: config.aws.region,
        hostname: `s3.${config.aws.region}.amazonaws.com`,
        aliasHost: mediaDomain,
        protocol: "https",
        accessKeyId: writer.accessKeyId,
        secretAccessKey: writer.secretAccessKey,
        checksumsOnlyWhenRequired: false,
        // CloudFront (OAC) reads for the public; the bucket has ACLs disabled (BucketOwnerEnforced).
        aclMode: "no-acl",
        cacheBuster,
      },
      {
        triggers: [
          bucketPolicy.policy,
          distribution.id,
          certificate.certificateArn,
          writer.policy.policy,
          cors.corsRules,
        ],
        dependsOn: [bucketPolicy, distribution, cors, writer.policy, ...mediaRecords, ...bustGrants],
        expectCname: external
          ? {
              host: mediaDomain,
              target: distribution.domainName,
              status: distribution.domainName.apply((target) => programDnsStatusLine(mediaDomain, target)),
            }
          : undefined,
      },
    );
    outputs.cdnDomain = distribution.domainName;
    outputs.takedowns = pulumi.output(awsTakedownNotes());
    outputs.cdnPurge = cdnPurgeOutput(
      distribution.id.apply((distributionId) => ({ cdn: "cloudfront" as const, distributionId })),
      outputs.mediaBaseUrl,
      config.keyPrefix,
    );
    if (external) {
      outputs.dnsRecords = pulumi
        .all([certificate.validationRecords, mediaCname])
        .apply(([validation, media]) => [...validation, ...media]);
    }
    this.outputs = outputs;
    this.registerOutputs(outputs);
  }
}

import * as pulumi from "@pulumi/pulumi";
import * as aws from "./sdk";
import type * as cloudflareSdk from "../cloudflare/sdk";
import type { AwsStackConfig } from "../../components/config";

/** Where the media domain's records go: a Route 53 zone, a Cloudflare zone, or nowhere (the user adds them). */
export interface DnsZone {
  /** A CNAME record, or `undefined` when DNS is external. */
  cname(name: string, recordName: pulumi.Input<string>, target: pulumi.Input<string>): pulumi.Resource | undefined;
  /** The media domain pointing at the distribution. */
  mediaRecords(name: string, mediaDomain: string, distribution: aws.cloudfront.Distribution): pulumi.Resource[];
}

/** ACM returns names and values ending in a dot; Cloudflare stores them without and would diff forever. */
export function withoutTrailingDot(value: string): string {
  return value.replace(/\.$/, "");
}

export function dnsZone(
  dns: AwsStackConfig["aws"]["dns"],
  parent: pulumi.Resource,
  cloudflare: typeof cloudflareSdk | undefined,
): DnsZone {
  switch (dns.type) {
    case "route53":
      return route53Zone(dns.zoneId, parent);
    case "cloudflare":
      if (!cloudflare) throw new Error("dnsZone: the Cloudflare SDK must be loaded for Cloudflare DNS");
      return cloudflareZone(dns.zoneId, parent, cloudflare);
    case "external":
      return { cname: () => undefined, mediaRecords: () => [] };
  }
}

function route53Zone(zoneId: string, parent: pulumi.Resource): DnsZone {
  return {
    cname: (name, recordName, target) =>
      new aws.route53.Record(
        name,
        {
          zoneId,
          name: recordName,
          type: aws.route53.RecordType.CNAME,
          ttl: 300,
          records: [target],
          allowOverwrite: true,
        },
        { parent },
      ),
    mediaRecords: (name, mediaDomain, distribution) =>
      [aws.route53.RecordType.A, aws.route53.RecordType.AAAA].map(
        (type) =>
          new aws.route53.Record(
            `${name}-${type.toLowerCase()}`,
            {
              zoneId,
              name: mediaDomain,
              type,
              aliases: [
                { name: distribution.domainName, zoneId: distribution.hostedZoneId, evaluateTargetHealth: false },
              ],
            },
            { parent },
          ),
      ),
  };
}

function cloudflareZone(zoneId: string, parent: pulumi.Resource, cloudflare: typeof cloudflareSdk): DnsZone {
  const record = (name: string, recordName: pulumi.Input<string>, target: pulumi.Input<string>) =>
    new cloudflare.DnsRecord(
      name,
      {
        zoneId,
        name: pulumi.output(recordName).apply(withoutTrailingDot),
        type: "CNAME",
        content: pulumi.output(target).apply(withoutTrailingDot),
        // DNS only: a proxied record would put Cloudflare's edge in front of CloudFront's certificate.
        proxied: false,
        ttl: 1,
      },
      { parent },
    );
  return {
    cname: record,
    mediaRecords: (name, mediaDomain, distribution) => [record(`${name}-cname`, mediaDomain, distribution.domainName)],
  };
}

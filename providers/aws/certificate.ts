import * as pulumi from "@pulumi/pulumi";
import * as aws from "./sdk";
import type { DnsRecordSpec } from "../../components/contract";
import { createDnsNotice } from "../../components/dns-notice";
import { withoutTrailingDot, type DnsZone } from "./dns";

/** CloudFront only accepts certificates from ACM in us-east-1, whatever the bucket's region. */
export const CLOUDFRONT_CERTIFICATE_REGION = "us-east-1";

export interface MediaCertificate {
  /** The validated certificate: CloudFront waits for validation by reading it from here. */
  certificateArn: pulumi.Output<string>;
  /** Validation records the user must create (external DNS only). */
  validationRecords: pulumi.Output<DnsRecordSpec[]>;
}

/**
 * A DNS-validated ACM certificate for the media domain in us-east-1. Uses the per-resource `region` argument
 * (@pulumi/aws v7) rather than a second explicit provider, so the stack's own `aws:*` settings (profile,
 * assumed role) also apply to the certificate.
 */
export function createCertificate(
  name: string,
  mediaDomain: string,
  zone: DnsZone,
  external: boolean,
  parent: pulumi.Resource,
): MediaCertificate {
  const region = CLOUDFRONT_CERTIFICATE_REGION;
  const certificate = new aws.acm.Certificate(
    `${name}-certificate`,
    { domainName: mediaDomain, validationMethod: "DNS", keyAlgorithm: "EC_prime256v1", region },
    { parent },
  );
  const option = certificate.domainValidationOptions.apply((options) => {
    const first = options[0];
    if (!first) throw new Error(`ACM returned no validation record for ${mediaDomain}`);
    return first;
  });
  const record = zone.cname(
    `${name}-certificate-validation-record`,
    option.resourceRecordName,
    option.resourceRecordValue,
  );
  const validationRecords = option.apply((o): DnsRecordSpec[] =>
    external
      ? [
          {
            name: withoutTrailingDot(o.resourceRecordName),
            type: "CNAME",
            value: withoutTrailingDot(o.resourceRecordValue),
            purpose: "ACM certificate validation",
          },
        ]
      : [],
  );
  if (external) {
    // Validation waits for this record, and stack outputs only appear at the end: say it while we wait, once.
    createDnsNotice(`${name}-certificate-validation-notice`, validationRecords, parent);
  }
  const validation = new aws.acm.CertificateValidation(
    `${name}-certificate-validation`,
    {
      certificateArn: certificate.arn,
      region,
      validationRecordFqdns: record ? [option.resourceRecordName.apply(withoutTrailingDot)] : undefined,
    },
    { parent, dependsOn: record ? [record] : [] },
  );
  return { certificateArn: validation.certificateArn, validationRecords };
}

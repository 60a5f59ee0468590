import * as pulumi from "@pulumi/pulumi";
import * as digitalocean from "./sdk";
import type { DnsRecordSpec } from "../../components/contract";
import type { MediaDomainTls } from "./tls";

export interface MediaCdnArgs {
  bucket: digitalocean.SpacesBucket;
  tls: MediaDomainTls;
  /** Edge cache TTL in seconds; Mastodon's objects are immutable, so long is right. */
  ttl: number;
}

export interface MediaCdn {
  cdn: digitalocean.Cdn;
  /** The public media host: the custom domain, or the CDN's own endpoint. */
  mediaHost: pulumi.Output<string>;
  /** Records to create by hand (an uploaded certificate: the zone may be outside DigitalOcean DNS). */
  dnsRecords?: pulumi.Output<DnsRecordSpec[]>;
}

/**
 * The certificate name that asks DigitalOcean for a certificate provisioned at its CDN edge. The Spaces CDN runs on
 * Cloudflare's edge: the API reports `certificate_id: "needs-cloudflare-cert"` for custom domains, and requires that
 * value to have one generated (terraform-provider-digitalocean #1086, #1089). The provider (2.34.1+, which
 * @pulumi/digitalocean 4 wraps) reads that value back as `certificate_name` (#1095), so a CDN given any other name
 * for such a certificate, e.g. a Let's Encrypt certificate's, shows a diff on every `pulumi up`.
 */
export const DO_EDGE_CERTIFICATE = "needs-cloudflare-cert";

/**
 * The CDN's `certificateName`: the edge certificate for `lets_encrypt` (DigitalOcean provisions and renews it; no
 * certificate resource of ours, so nothing reads back differently), the uploaded one's name for `existing`.
 * Unverified against a real account: whether DigitalOcean also reports the sentinel for a CDN given an uploaded
 * certificate (then that stack too would diff on every `up`; docs/digitalocean.md says what to do).
 */
export function cdnCertificateName(tls: MediaDomainTls): string | undefined {
  return tls.kind === "lets_encrypt" ? DO_EDGE_CERTIFICATE : tls.kind === "existing" ? tls.certificateName : undefined;
}

/**
 * The Spaces CDN in front of the bucket, on the media domain when there is one. With a custom domain whose
 * zone is in DigitalOcean DNS, DigitalOcean creates the CNAME itself (Spaces docs, "How to customize the Spaces CDN
 * endpoint"; terraform-provider-digitalocean#1241): a second record of ours would conflict, so this stack creates none.
 */
export function createCdn(name: string, args: MediaCdnArgs, parent: pulumi.Resource): MediaCdn {
  const { tls } = args;
  const cdn = new digitalocean.Cdn(
    `${name}-cdn`,
    {
      origin: args.bucket.bucketDomainName,
      ttl: args.ttl,
      customDomain: tls.kind === "cdn-endpoint" ? undefined : tls.domain,
      // By name, never by id (certificateId is deprecated: a renewal changes the id).
      certificateName: cdnCertificateName(tls),
    },
    { parent },
  );
  if (tls.kind === "cdn-endpoint") return { cdn, mediaHost: cdn.endpoint };

  const result: MediaCdn = { cdn, mediaHost: pulumi.output(tls.domain) };
  if (tls.kind === "existing") {
    result.dnsRecords = cdn.endpoint.apply((endpoint): DnsRecordSpec[] => [
      {
        name: tls.domain,
        type: "CNAME",
        value: endpoint,
        purpose: "media domain -> DigitalOcean CDN (automatic when the zone is in DigitalOcean DNS)",
      },
    ]);
    // The self-check waits for the media host to answer: say what it waits for while it waits.
    result.dnsRecords.apply((records) => {
      for (const r of records) {
        pulumi.log.warn(
          `Unless its zone is in DigitalOcean DNS, create the DNS record ${r.name} CNAME ${r.value}.`,
          cdn,
        );
      }
    });
  }
  return result;
}

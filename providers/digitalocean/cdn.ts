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
  /** The Let's Encrypt certificate, when this stack issues one. */
  certificate?: digitalocean.Certificate;
  /** The public media host: the custom domain, or the CDN's own endpoint. */
  mediaHost: pulumi.Output<string>;
  /** Records to create by hand (an uploaded certificate: the zone may be outside DigitalOcean DNS). */
  dnsRecords?: pulumi.Output<DnsRecordSpec[]>;
}

/**
 * The Spaces CDN in front of the bucket, on the media domain when there is one. With a custom domain whose
 * zone is in DigitalOcean DNS, DigitalOcean creates the CNAME itself (Spaces docs, "How to customize the Spaces CDN
 * endpoint"; terraform-provider-digitalocean#1241): a second record of ours would conflict, so this stack creates none.
 */
export function createCdn(name: string, args: MediaCdnArgs, parent: pulumi.Resource): MediaCdn {
  const { tls } = args;
  const certificate =
    tls.kind === "lets_encrypt"
      ? new digitalocean.Certificate(
          `${name}-certificate`,
          { type: digitalocean.CertificateType.LetsEncrypt, domains: [tls.domain] },
          { parent },
        )
      : undefined;

  const cdn = new digitalocean.Cdn(
    `${name}-cdn`,
    {
      origin: args.bucket.bucketDomainName,
      ttl: args.ttl,
      customDomain: tls.kind === "cdn-endpoint" ? undefined : tls.domain,
      // By name, not id: a Let's Encrypt renewal changes the id (certificateId is deprecated for that reason).
      certificateName: certificate ? certificate.name : tls.kind === "existing" ? tls.certificateName : undefined,
    },
    { parent },
  );

  if (tls.kind === "cdn-endpoint") return { cdn, mediaHost: cdn.endpoint };

  const result: MediaCdn = { cdn, certificate, mediaHost: pulumi.output(tls.domain) };
  if (tls.kind === "existing") {
    result.dnsRecords = cdn.endpoint.apply((endpoint): DnsRecordSpec[] => [
      { name: tls.domain, type: "CNAME", value: endpoint, purpose: "media domain -> DigitalOcean CDN (automatic when the zone is in DigitalOcean DNS)" },
    ]);
    // The self-check waits for the media host to answer: say what it waits for while it waits.
    result.dnsRecords.apply((records) => {
      for (const r of records) {
        pulumi.log.warn(`Unless its zone is in DigitalOcean DNS, create the DNS record ${r.name} CNAME ${r.value}.`, cdn);
      }
    });
  }
  return result;
}

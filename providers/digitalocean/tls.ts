import type { DigitalOceanStackConfig } from "../../components/config";

/**
 * How the CDN serves media:
 *
 * | mediaDomain | certificate  | CDN custom domain | certificate used                          |
 * |-------------|--------------|-------------------|-------------------------------------------|
 * | unset       | none         | none              | the CDN endpoint's own                    |
 * | set         | lets_encrypt | mediaDomain       | a new Let's Encrypt one (zone in DO DNS)  |
 * | set         | existing     | mediaDomain       | the uploaded one, by name                 |
 */
export type MediaDomainTls =
  | { kind: "cdn-endpoint" }
  | { kind: "lets_encrypt"; domain: string }
  | { kind: "existing"; domain: string; certificateName: string };

export function mediaDomainTls(config: DigitalOceanStackConfig): MediaDomainTls {
  const domain = config.mediaDomain;
  if (domain === undefined) return { kind: "cdn-endpoint" };
  const certificate = config.digitalocean.certificate;
  // The config schema rejects a media domain without a certificate; reaching this is a bug, not a user error.
  if (!certificate) throw new Error("mediaDomainTls: a media domain needs digitalocean.certificate");
  return certificate.type === "lets_encrypt"
    ? { kind: "lets_encrypt", domain }
    : { kind: "existing", domain, certificateName: certificate.name };
}

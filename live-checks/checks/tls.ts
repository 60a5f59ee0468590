import { diagnoseNetwork } from "../diagnose";
import { errorCode } from "../io/http";
import { certificateNames } from "../io/tls";
import { portOf } from "../reachability";
import { MIN_TLS_VERSIONS } from "../io/tls";
import { mediaHostVariable } from "../../mastodon-env/target";
import { defineCheck, fail, pass, skip } from "../check";

/** Certificates closer than this to expiry are worth a line in the report (managed ones renew ~30 days ahead). */
const EXPIRY_WARNING_DAYS = 14;

export const tls = defineCheck({
  id: "tls",
  title: "the media host (and the API endpoint) serve HTTPS with a valid certificate, TLS 1.2 or newer",
  retry: "deadline",
  async run({ target, io, signal }) {
    const hosts = new Map<string, { variable: string; url: URL }>();
    const media = { variable: mediaHostVariable(target), url: target.mediaBase };
    const api = { variable: target.facts.endpoint ? "S3_ENDPOINT" : "the AWS endpoint", url: target.apiEndpoint };
    for (const endpoint of [media, api]) {
      if (endpoint.url.protocol === "https:") hosts.set(`${endpoint.url.hostname}:${portOf(endpoint.url)}`, endpoint);
    }
    // readTarget accepts plain http only for loopback hosts: a local test server has no TLS to check.
    if (hosts.size === 0)
      return skip(`plain http on loopback (${target.mediaBase.host}): a local test server, no TLS to check`);
    const observed: string[] = [];
    for (const { variable, url } of hosts.values()) {
      let facts;
      try {
        facts = await io.tls(url.hostname.replace(/^\[|\]$/g, ""), portOf(url), signal);
      } catch (error) {
        const code = errorCode(error);
        observed.push(`TLS handshake with ${url.host}: ${code}`);
        const diagnosis = diagnoseNetwork(code, variable, {
          host: url.hostname,
          certNames: certificateNames(error),
        }) ?? {
          cause: `the TLS handshake with ${url.host} failed (${code})`,
          fix: "check the certificate and the TLS settings of the host",
          transient: true,
        };
        return fail(observed, diagnosis.cause, diagnosis.fix, diagnosis.transient);
      }
      const expiry = `valid until ${facts.validTo.toISOString().slice(0, 10)}${facts.daysLeft < EXPIRY_WARNING_DAYS ? ` (only ${facts.daysLeft} days left: check its renewal)` : ""}`;
      observed.push(
        `${url.host}: ${facts.protocol}, certificate for ${facts.subject || "(no CN)"} from ${facts.issuer || "(unknown issuer)"}, ${expiry}`,
      );
      if (!(MIN_TLS_VERSIONS as readonly string[]).includes(facts.protocol)) {
        return fail(
          observed,
          `${url.host} negotiated ${facts.protocol}, which browsers refuse`,
          "require TLS 1.2 or newer on the host (R2: minTls 1.2; CloudFront: TLSv1.2_2021)",
        );
      }
    }
    return pass(...observed);
  },
});

import * as pulumi from "@pulumi/pulumi";
import * as cloudflare from "./sdk";

/**
 * The content of a proxied placeholder record for a host with no origin of its own: the IPv6 discard prefix
 * (RFC 6666). Cloudflare's docs use it for hosts that only redirect (Rules > Single Redirects, "Redirect from one
 * domain to another": "a proxied AAAA record pointing to 100::"); being proxied, the zone's rules, redirects
 * included, answer before any origin is contacted.
 */
export const PLACEHOLDER_AAAA = "100::";

/** The distinct hosts of previous media bases (`host[/path]`), lower case, without the current media host. */
export function previousHosts(previous: readonly string[], mediaDomain: string): string[] {
  const hosts = previous.map((base) => (base.split("/")[0] ?? "").toLowerCase());
  return [...new Set(hosts)].filter((host) => host !== "" && host !== mediaDomain.toLowerCase());
}

/**
 * Keeps each previous media host resolving, proxied, so that its Single Redirect
 * (providers/cloudflare/previous-media-redirect.ts) is reached. An R2 custom domain owns its DNS record, and
 * removing the domain removes the record (R2 docs, "Public buckets", "Remove domain"); a change of `mediaDomain`
 * replaces the R2CustomDomain (its `domain` forces replacement), so without this record the old host stops
 * resolving and no old URL ever reaches its redirect.
 *
 * Ordered after the media host's custom domain (`dependsOn`), which is replaced delete-first
 * (providers/cloudflare/domains.ts): the old domain's record is gone before this one is created under the same
 * name. Hosts outside the zone are left out (their redirect cannot run here; the stack warns about them).
 */
export function createPreviousHostRecords(
  name: string,
  args: { zoneId: string; hosts: readonly string[]; after: pulumi.Resource },
  parent: pulumi.Resource,
): cloudflare.DnsRecord[] {
  return args.hosts.map(
    (host) =>
      new cloudflare.DnsRecord(
        `${name}-previous-host-${host.replace(/[^a-z0-9]+/g, "-")}`,
        {
          zoneId: args.zoneId,
          name: host,
          type: "AAAA",
          content: PLACEHOLDER_AAAA,
          proxied: true,
          // 1 = automatic, the only TTL of a proxied record (Cloudflare DNS docs, "Time to Live").
          ttl: 1,
          comment: "mastodon-media: keeps this previous media host proxied so that its redirect answers",
        },
        { parent, dependsOn: [args.after] },
      ),
  );
}

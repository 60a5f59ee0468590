import { errorCode, type HttpResponse } from "../io/http";
import { mediaUrl } from "../../mastodon-env/target";
import { defineCheck, fail, pass, skip } from "../check";

const PERMANENT = new Set([301, 308]);

/**
 * The URL a key had under a previous media base (`host` or `host/path`, as in previousMediaDomains): the base,
 * then the key without the current S3_KEY_PREFIX.
 */
export function previousMediaUrl(previousBase: string, key: string, keyPrefix: string | undefined): string {
  const bare = keyPrefix && key.startsWith(`${keyPrefix}/`) ? key.slice(keyPrefix.length + 1) : key;
  return `https://${previousBase.replace(/\/+$/, "")}/${bare}`;
}

/**
 * One old URL answers a permanent redirect to the same key on the current media host (`--previous-media-base`,
 * given by the self-check of a stack that redirects its previous media hosts). Other servers keep every media URL
 * they fetched: after a media-host change, the old host must keep resolving and answer 301 (issue #21: an R2
 * custom domain's removal takes the old host's DNS record with it). Not following the redirect: the answer itself
 * is what is checked.
 */
export const previousMediaRedirect = defineCheck({
  id: "previous-media-redirect",
  title: "a URL on the previous media host answers 301 to the same key on the media host",
  needs: ["probe", "mediaServed"],
  retry: "deadline",
  async run(context) {
    const base = context.previousMediaBase;
    if (!base) return skip("no previous media host given (--previous-media-base)");
    const key = context.state.probe!.key;
    const current = mediaUrl(context.target, key);
    const old = previousMediaUrl(base, key, context.target.facts.keyPrefix);
    let response: HttpResponse;
    try {
      response = await context.io.http(old, { signal: context.signal });
    } catch (error) {
      const code = errorCode(error);
      return fail(
        [`GET ${old}: ${code}`],
        code === "ENOTFOUND" || code === "EAI_AGAIN"
          ? `the previous media host ${base.split("/")[0]} does not resolve: every URL other servers hold for it is broken`
          : `the previous media host did not answer (${code})`,
        "keep the old host in DNS, proxied in the zone where its redirect lives (the Cloudflare stack keeps a placeholder record for it with redirectPreviousMediaDomains)",
        true,
      );
    }
    const location = response.headers.location ?? "";
    const observed = [`GET ${old}: ${response.status}${location ? ` to ${location}` : ""}`];
    if (PERMANENT.has(response.status) && location === current) return pass(...observed);
    return fail(
      observed,
      PERMANENT.has(response.status)
        ? `the old URL redirects to ${location}, not to the key's URL on the media host (${current})`
        : `the old URL answers ${response.status} instead of a permanent redirect to ${current}`,
      "re-run `pulumi up` with the old base in previousMediaDomains and cloudflare.redirectPreviousMediaDomains: true, or set the redirect up where the old host lives (docs/migrating.md)",
      true,
    );
  },
});

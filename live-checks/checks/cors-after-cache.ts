import { describeResponse, type HttpResponse } from "../io/http";
import { describeFailure, formatFailure } from "../io/s3";
import { mediaUrl } from "../../mastodon-env/target";
import { networkFailure } from "../network-failure";
import { MultipartStepFailed, uploadLikeMastodon } from "../upload";
import { type CheckContext, defineCheck, fail, pass } from "../check";

/** A 1x1 transparent PNG: CDNs cache images by default (Cloudflare decides by the file extension). */
export const IMAGE_PROBE = Buffer.from(
  "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==",
  "base64",
);
export const IMAGE_PROBE_TYPE = "image/png";

/** Headers that tell whether a CDN answered from its cache (Cloudflare, CloudFront, others). */
const CACHE_HEADERS = ["cf-cache-status", "x-cache", "age"] as const;

/** Image probes uploaded by this run, per context (the check may be retried: upload once). */
const uploaded = new WeakMap<CheckContext, string>();

function cacheNote(response: HttpResponse): string {
  const seen = CACHE_HEADERS.filter((name) => response.headers[name] !== undefined).map(
    (name) => `${name}: ${response.headers[name]}`,
  );
  return seen.length > 0 ? seen.join(", ") : "no cache header";
}

/**
 * The way media is really fetched: another server (no `Origin`) fetches a new image first and the CDN caches that
 * copy; then a browser asks with `Origin`. A CDN that caches the origin's answer and ignores `Vary` (Cloudflare's
 * default, "Cache-Control" docs, "Other") serves the browser the copy R2 made without CORS headers (R2 docs,
 * "Configure CORS": headers only when the request has `Origin`). Passes only when the browser's request gets an
 * Access-Control-Allow-Origin that admits it.
 */
export const corsAfterCache = defineCheck({
  id: "cors-after-cache",
  title: "a cached image first fetched without Origin still carries Access-Control-Allow-Origin for a browser",
  needs: ["probe", "mediaServed"],
  // A fresh edge rule takes seconds to apply; a copy cached without CORS stays wrong, retrying does not help.
  retry: 60,
  async run(context) {
    const { target, probes, io, origin } = context;
    let key = uploaded.get(context);
    const observed: string[] = [];
    if (!key) {
      key = probes.key("media_attachments/", "probe.png");
      const acl = context.state.aclRejected ? undefined : target.uploadAcl;
      // The writer's upload path (its probe bookkeeping too), without a header writer-upload found refused.
      const s3 = context.state.checksumRejected ? (io.s3WhenRequired ?? io.s3) : io.s3;
      try {
        await uploadLikeMastodon(context, { key, body: IMAGE_PROBE, acl, s3, contentType: IMAGE_PROBE_TYPE });
      } catch (error) {
        return fail(
          [
            `PUT ${key} (Content-Type: ${IMAGE_PROBE_TYPE}): ${formatFailure(error instanceof MultipartStepFailed ? error.failure : describeFailure(error, context.redact))}`,
          ],
          "the writer could upload the text probe but not an image one",
          "see writer-upload above; run verify again",
          true,
        );
      }
      uploaded.set(context, key);
      observed.push(`PUT ${key} (Content-Type: ${IMAGE_PROBE_TYPE}): 200`);
    }
    const url = mediaUrl(target, key);
    let plain: HttpResponse[];
    let browser: HttpResponse;
    try {
      // Twice without Origin: the first fills the cache, the second shows whether the CDN now answers from it.
      plain = [await io.http(url, { signal: context.signal }), await io.http(url, { signal: context.signal })];
      browser = await io.http(url, { headers: { origin }, signal: context.signal });
    } catch (error) {
      return networkFailure(context, `GET ${url}`, error);
    }
    plain.forEach((response, index) =>
      observed.push(`GET without Origin (${index + 1}): ${describeResponse(response)}, ${cacheNote(response)}`),
    );
    const allow = browser.headers["access-control-allow-origin"];
    observed.push(
      `then GET with Origin: ${origin}: ${describeResponse(browser)}, ${cacheNote(browser)}, Access-Control-Allow-Origin: ${allow ?? "(none)"}`,
    );
    if (plain.some((response) => response.status !== 200) || browser.status !== 200) {
      return fail(
        observed,
        "the media host does not serve the image probe yet",
        "a new CDN or edge rule takes minutes: run verify again with --retry-for 900",
        true,
      );
    }
    if (allow === "*" || allow === origin) return pass(...observed);
    return fail(
      observed,
      "a copy cached from a request without Origin reaches browsers without Access-Control-Allow-Origin: the CDN caches the " +
        "origin's answer and ignores Vary, and the origin adds CORS headers only when a request carries Origin (R2). " +
        "Browsers then refuse media that another server fetched first",
      "set CORS at the edge after the cache: re-run `pulumi up` (the R2 stack adds a response header transform rule on the media host; " +
        "CloudFront's response headers policy does the same), then purge the media host's cache",
      true,
    );
  },
});

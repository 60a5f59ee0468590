import { errorCode, type HttpResponse } from "../io/http";
import { mediaUrl, type VerifyTarget } from "../../mastodon-env/target";
import { defineCheck, fail, pass, skip } from "../check";

/**
 * Media hosts whose plain-HTTP behaviour the stacks of this project set: CloudFront (AWS: no S3_ENDPOINT,
 * viewer protocol policy redirect-to-https) and an R2 custom domain (the stack's Single Redirect rule). Elsewhere
 * (Spaces CDN, a MinIO proxy of your own) plain HTTP is outside the stack: reported, never failed.
 */
export function stackControlsPlainHttp(target: VerifyTarget): boolean {
  if (!target.facts.aliasHost) return false;
  const endpoint = target.facts.endpoint ? new URL(target.facts.endpoint).hostname : undefined;
  return endpoint === undefined || /\.r2\.cloudflarestorage\.com$/.test(endpoint);
}

const REDIRECTS = new Set([301, 302, 307, 308]);

export const httpsRedirect = defineCheck({
  id: "https-redirect",
  title: "plain HTTP on the media host redirects to the same URL over HTTPS",
  needs: ["probe", "mediaServed"],
  retry: "deadline",
  async run(context) {
    const { target } = context;
    const secure = mediaUrl(target, context.state.probe!.key);
    if (!secure.startsWith("https://"))
      return skip(`the media host is plain http (${target.mediaBase.host}): a local test server`);
    const plain = `http://${secure.slice("https://".length)}`;
    const controlled = stackControlsPlainHttp(target);
    let response: HttpResponse;
    try {
      response = await context.io.http(plain, { signal: context.signal });
    } catch (error) {
      const code = errorCode(error);
      // Nothing listens for plain HTTP: nothing can be read in the clear either.
      if (code === "ECONNREFUSED") return pass(`GET ${plain}: connection refused (no plain HTTP at all)`);
      const observed = [`GET ${plain}: ${code}`];
      return controlled
        ? fail(observed, `plain HTTP to the media host failed (${code})`, "run verify again; check the CDN", true)
        : skip(`${observed[0]}; plain HTTP is not set by this stack`);
    }
    const location = response.headers.location ?? "";
    const observed = [`GET ${plain}: ${response.status}${location ? ` to ${location}` : ""}`];
    if (REDIRECTS.has(response.status) && location === secure) return pass(...observed);
    if (!controlled) return skip(`${observed[0]}; plain HTTP on this provider's media host is not set by this stack`);
    return fail(
      observed,
      response.status === 200
        ? "the media host serves media over plain HTTP: anyone on the path can read or alter it, and no HSTS protects the first visit"
        : `plain HTTP answers ${response.status}${location ? ` to ${location}` : ""} instead of a redirect to ${secure}`,
      "re-run `pulumi up`: the R2 stack redirects plain HTTP with a Single Redirect rule on the media host; CloudFront with viewerProtocolPolicy redirect-to-https",
      true,
    );
  },
});

import { DeleteObjectCommand } from "@aws-sdk/client-s3";
import { describeResponse, type HttpResponse } from "../io/http";
import { describeFailure, formatFailure } from "../io/s3";
import { mediaUrl } from "../../mastodon-env/target";
import { IMAGE_PROBE, IMAGE_PROBE_TYPE } from "./cors-after-cache";
import { networkFailure } from "../network-failure";
import { MultipartStepFailed, uploadLikeMastodon } from "../upload";
import { type CheckContext, defineCheck, fail, inconclusive, pass, pendingStep, skip } from "../check";
import { BUST_NOT_INSTALLED, BUST_STATUS_HEADER } from "../../components/cache-buster";

/** How long the edge may take to stop serving a busted file: a CloudFront invalidation usually completes within this. */
export const DEFAULT_BUST_WAIT_SECONDS = 180;

/** Attempts of this check per verify run (the runner retries a transient failure with the same context). */
const attempts = new WeakMap<CheckContext, number>();

/** How many plain fetches may fill the cache before the check gives up on seeing a hit. */
const FILL_ATTEMPTS = 3;

/**
 * Whether an answer came from the edge's cache, by the header each edge sets: CloudFront `X-Cache: Hit from
 * cloudfront` (CloudFront developer guide, "Viewer response headers"), Cloudflare `CF-Cache-Status: HIT` (Cloudflare
 * cache docs, "Cloudflare cache responses"), nginx `X-Cache-Status: HIT` ($upstream_cache_status, as this project's
 * nginx cache sends it, providers/minio/nginx-cache.ts). `none`: no such header, so a cached answer cannot be told
 * from a fresh one.
 */
export function cacheState(response: HttpResponse): { state: "hit" | "miss" | "none"; seen?: string } {
  for (const name of ["x-cache", "cf-cache-status", "x-cache-status"]) {
    const value = response.headers[name];
    if (value !== undefined) return { state: /^\s*hit\b/i.test(value) ? "hit" : "miss", seen: `${name}: ${value}` };
  }
  return { state: "none" };
}

/**
 * The request Mastodon's CacheBusterWorker sends (app/lib/cache_buster.rb, app/lib/request.rb): the method, the
 * secret header, http.rb's User-Agent, Date, and Accept-Encoding: gzip except for HEAD; up to 3 redirects followed.
 */
export async function sendBust(context: CheckContext, url: string): Promise<HttpResponse> {
  const buster = context.target.env.cacheBuster;
  const header = buster.header as { name: string; value: string };
  // Mastodon::Version.user_agent (lib/mastodon/version.rb): Mastodon/VERSION (http.rb/VERSION; +https://WEB_DOMAIN/).
  const vars = context.target.env.vars;
  const web = [vars.WEB_DOMAIN, vars.LOCAL_DOMAIN].find((v) => v.state === "set");
  const domain = web?.state === "set" ? web.value : "mastodon.example";
  const headers: Record<string, string> = {
    [header.name]: header.value,
    "user-agent": `Mastodon/4.5.0 (http.rb/5.3.1; +https://${domain}/)`,
    date: new Date().toUTCString(),
    ...(buster.method === "HEAD" ? {} : { "accept-encoding": "gzip" }),
  };
  let target = url;
  for (let hop = 0; ; hop++) {
    const response = await context.io.http(target, { method: buster.method, headers, signal: context.signal });
    const location = response.headers.location;
    if (hop >= 3 || response.status < 300 || response.status >= 400 || !location) return response;
    target = new URL(location, target).href;
  }
}

/**
 * Mastodon's cache buster, end to end, where the env turns it on with its secret header: an image probe is
 * fetched through the media host until the edge answers from its cache, deleted with the writer (as Mastodon deletes
 * a destroyed attachment's files), fetched again (the edge still serving the cached copy is what makes a takedown
 * need the bust), then busted exactly as Mastodon busts it; passes when the edge stops serving it within
 * `hints.cacheBustWaitSeconds` (default 180 s). Inconclusive, never a pass, when the answers carry no cache status
 * header or never hit, when the edge stops serving the deleted file without the bust, or when the bust's answer
 * says `X-Cache-Buster: not-installed` (the MinIO stack's nginx before the admin writes the secret's file), at
 * once and naming that step.
 */
export const cacheBust = defineCheck({
  id: "cache-bust",
  title: "after a delete, Mastodon's bust request makes the media host stop serving the file",
  needs: ["probe", "mediaServed"],
  // A new edge (a CloudFront function being published, a Worker route) may take minutes to act on the bust:
  // within --retry-for (the self-check of `pulumi up` gives 15 minutes) the whole check runs again on a new probe.
  retry: "deadline",
  async run(context) {
    const { target, probes, io } = context;
    const buster = target.env.cacheBuster;
    if (!buster.enabled)
      return skip(
        "CACHE_BUSTER_ENABLED is not true: Mastodon sends no bust request (doctor names a value meant as on)",
      );
    if (!buster.header)
      return skip(
        "no CACHE_BUSTER_SECRET_HEADER with a CACHE_BUSTER_SECRET: Mastodon sends no secret header (see doctor)",
      );
    if (!buster.methodKnown)
      return skip(
        "CACHE_BUSTER_HTTP_METHOD is a method Mastodon's HTTP client refuses: no bust is ever sent (see doctor)",
      );
    const observed: string[] = [];
    // A key of its own per attempt: a retry must not meet the edge's copy (or cached 404) of the previous one.
    const attempt = (attempts.get(context) ?? 0) + 1;
    attempts.set(context, attempt);
    const key = probes.key("media_attachments/", `cache-bust-${attempt}.png`);
    const s3 = context.state.checksumRejected ? (io.s3WhenRequired ?? io.s3) : io.s3;
    try {
      await uploadLikeMastodon(context, {
        key,
        body: IMAGE_PROBE,
        acl: context.state.aclRejected ? undefined : target.uploadAcl,
        s3,
        contentType: IMAGE_PROBE_TYPE,
      });
    } catch (error) {
      const failure = error instanceof MultipartStepFailed ? error.failure : describeFailure(error, context.redact);
      return fail(
        [`PUT ${key}: ${formatFailure(failure)}`],
        "the writer could not upload the image probe",
        "see writer-upload above; run verify again",
        true,
      );
    }
    const url = mediaUrl(target, key);
    let hit = false;
    let anyHeader = false;
    try {
      for (let attempt = 1; attempt <= FILL_ATTEMPTS && !hit; attempt++) {
        const response = await io.http(url, { signal: context.signal });
        const cache = cacheState(response);
        anyHeader ||= cache.state !== "none";
        hit = response.status === 200 && cache.state === "hit";
        observed.push(`GET ${attempt}: ${describeResponse(response)}, ${cache.seen ?? "no cache status header"}`);
        if (response.status !== 200)
          return fail(observed, "the media host does not serve the image probe", "see public-read above", true);
      }
    } catch (error) {
      return networkFailure(context, `GET ${url}`, error);
    }
    if (!anyHeader) {
      return inconclusive(
        observed,
        "the media host's answers carry no cache status header (X-Cache, CF-Cache-Status, X-Cache-Status): a cached answer cannot be told from a fresh one",
        "check the bust by hand on a deleted file, or add the cache status header at the edge",
      );
    }
    if (!hit)
      return inconclusive(
        observed,
        `the edge never answered the probe from its cache in ${FILL_ATTEMPTS} fetches, so a bust cannot be observed`,
        "run verify again (a new CDN edge may need more requests before it caches)",
      );

    try {
      await s3.send(new DeleteObjectCommand({ Bucket: target.facts.bucket, Key: key }), {
        abortSignal: context.signal,
      });
      probes.removed(key);
      observed.push(`DELETE ${key} (the writer, as Mastodon deletes a destroyed attachment): done`);
      const stale = await io.http(url, { signal: context.signal });
      observed.push(
        `GET after the delete, before the bust: ${describeResponse(stale)}, ${cacheState(stale).seen ?? "no cache status header"}`,
      );
      if (stale.status !== 200) {
        return inconclusive(
          observed,
          "the edge stopped serving the deleted file without a bust request, so the bust's effect cannot be seen",
          "nothing to fix for takedowns if this is always so; the cache may revalidate every request",
        );
      }
      const bust = await sendBust(context, url);
      observed.push(
        `${buster.method} ${url} with ${buster.header.name}: [secret] (as Mastodon sends it): ${describeResponse(bust)}`,
      );
      // The MinIO stack's nginx before the secret's file is written (components/cache-buster.ts BUST_STATUS_HEADER):
      // the bust cannot work yet, which waiting would not change, and nothing about the secret is known.
      if (bust.headers[BUST_STATUS_HEADER.toLowerCase()]?.trim() === BUST_NOT_INSTALLED) {
        observed.push(`${BUST_STATUS_HEADER}: ${BUST_NOT_INSTALLED}`);
        const host = new URL(url).hostname;
        // Pending, not failed: the secret only exists once `pulumi up` has run, so the first up cannot have it
        // (docs/minio.md, "First deploy"). A later `pulumi up` does not re-run a self-check that ended pending
        // (its triggers are unchanged), hence verify by hand.
        return pendingStep(
          observed,
          "the media host's nginx has no cache buster secret yet (the file is written after `pulumi up`): its bust requests are ordinary requests",
          `write the nginx cache buster's secret file /etc/nginx/mastodon-media/${host}.cache-buster.conf (after pulumi up)`,
          `pulumi stack output nginxCacheBusterMap --show-secrets | install -D -m 600 /dev/stdin /etc/nginx/mastodon-media/${host}.cache-buster.conf && nginx -t && systemctl reload nginx; then run verify again: pulumi stack output envProduction --show-secrets | npm run verify -- --env - (docs/minio.md)`,
        );
      }
    } catch (error) {
      return networkFailure(context, `the delete or the bust of ${url}`, error);
    }

    const waitMs = (context.hints?.cacheBustWaitSeconds ?? DEFAULT_BUST_WAIT_SECONDS) * 1000;
    const started = Date.now();
    for (let pause = 500; ; pause = Math.min(pause * 2, 10_000)) {
      let after: HttpResponse;
      try {
        after = await io.http(url, { signal: context.signal });
      } catch (error) {
        return networkFailure(context, `GET ${url}`, error);
      }
      const seconds = ((Date.now() - started) / 1000).toFixed(1);
      if (after.status !== 200 || !after.body.equals(IMAGE_PROBE)) {
        observed.push(`GET after the bust: ${describeResponse(after)} after ${seconds} s`);
        return pass(...observed);
      }
      if (Date.now() - started + pause > waitMs) {
        observed.push(
          `GET after the bust: still ${describeResponse(after)}, ${cacheState(after).seen ?? "no cache status header"}, after ${seconds} s`,
        );
        return fail(
          observed,
          `the edge kept serving the deleted file ${seconds} s after Mastodon's bust request: takedowns stay visible until the cache expires`,
          "re-run `pulumi up` so that the edge holds the secret in this env (CACHE_BUSTER_SECRET must equal the stack's), and paste the env block again; meanwhile `npm run purge -- --url URL` (docs/takedowns.md)",
          true,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, pause));
    }
  },
});

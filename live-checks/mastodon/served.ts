import type { HttpResponse } from "../io/http";

/**
 * The Cache-Control Mastodon stores with every upload (config/initializers/paperclip.rb, `s3_headers`:
 * 'Cache-Control' => 'public, max-age=315576000, immutable'): ten years, so browsers and CDNs keep media.
 */
export const MASTODON_CACHE_CONTROL = "public, max-age=315576000, immutable";

/**
 * What is wrong with a media URL's answer, as a browser on `origin` would see it: not 200, not an image, no
 * Access-Control-Allow-Origin for this origin (Mastodon's docs, "Configuring object storage": CORS is required
 * for the web UI and other clients), or a Cache-Control other than Mastodon's. Empty when all is well.
 */
export function servedProblems(response: HttpResponse, origin: string): string[] {
  const problems: string[] = [];
  if (response.status !== 200) problems.push(`the media URL answers ${response.status}, not 200`);
  const type = response.headers["content-type"] ?? "";
  if (!/^image\//i.test(type))
    problems.push(`it is served as ${type || "no content type"}, not image/*: browsers refuse to show it`);
  const allowed = response.headers["access-control-allow-origin"];
  if (allowed !== "*" && allowed !== origin) {
    problems.push(
      allowed
        ? `Access-Control-Allow-Origin is ${allowed}, not ${origin} or *`
        : "no Access-Control-Allow-Origin: the web UI and other clients cannot load it",
    );
  }
  const cache = response.headers["cache-control"];
  if (normalise(cache) !== normalise(MASTODON_CACHE_CONTROL)) {
    problems.push(
      cache
        ? `Cache-Control is "${cache}", not Mastodon's "${MASTODON_CACHE_CONTROL}" (the CDN or proxy overrides it)`
        : `no Cache-Control: the CDN or proxy drops Mastodon's "${MASTODON_CACHE_CONTROL}"`,
    );
  }
  return problems;
}

function normalise(value: string | undefined): string {
  return (value ?? "")
    .toLowerCase()
    .split(",")
    .map((part) => part.trim())
    .filter(Boolean)
    .sort()
    .join(",");
}

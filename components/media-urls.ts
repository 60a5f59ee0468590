import { createHash } from "node:crypto";

/**
 * The media bases of a stack, as plain data for the program (components/media-url-anchors.ts) and the policy pack
 * (policy/rules/media-urls-anchored.ts): how a base is written and how its anchor is named and marked.
 */

/** The first trigger of every anchor: how the policy pack (policy/rules/media-urls-anchored.ts) recognises one. */
export const MEDIA_URL_ANCHOR_MARK = "mastodon-media:media-url";

/**
 * The media bases a stack anchors: its own (`mediaDomain`, or `mediaDomain/keyPrefix`) and each of
 * previousMediaDomains, written the same way. A stack without a mediaDomain serves media from the provider's own
 * host (the Spaces CDN or origin host, the MinIO endpoint): that host stays as long as the bucket, which is
 * protected itself, and it keeps answering when a mediaDomain is adopted later, so it gets no anchor (an anchor
 * would make adopting a mediaDomain look like a loss of URLs).
 */
export function anchoredMediaBases(config: {
  mediaDomain?: string | undefined;
  keyPrefix?: string | undefined;
  previousMediaDomains: readonly string[];
}): string[] {
  const current =
    config.mediaDomain === undefined ? [] : [[config.mediaDomain, config.keyPrefix].filter(Boolean).join("/")];
  return [...new Set([...current, ...config.previousMediaDomains])];
}

/**
 * The resource name of the anchor of `base` under the component `name`: the base in lower case with every other
 * character than a-z and 0-9 turned into `-`, then 8 hex digits of its SHA-256, so that two bases never share a
 * name (`files.example.com/social` and `files-example.com/social`), e.g. `media-url-files-example-com-social-1b2c3d4e`.
 */
export function mediaUrlAnchorName(name: string, base: string): string {
  const slug = base
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-|-$/g, "");
  return `${name}-media-url-${slug}-${createHash("sha256").update(base).digest("hex").slice(0, 8)}`;
}

import { createHash } from "node:crypto";

/**
 * The media bases of a stack, as plain data for the program (components/media-url-anchors.ts) and the policy pack
 * (policy/rules/media-urls-anchored.ts): how a base is written and how its anchor is named and marked.
 */

/** The first trigger of every anchor: how the policy pack (policy/rules/media-urls-anchored.ts) recognises one. */
export const MEDIA_URL_ANCHOR_MARK = "mastodon-media:media-url";

/** The label of the current base when no mediaDomain is configured (the provider's own host serves media). */
export const PROVIDER_HOST = "provider-host";

/**
 * The current media base as previousMediaDomains writes one: `mediaDomain/keyPrefix`, `mediaDomain`, or, without a
 * mediaDomain, `provider-host` (with `/keyPrefix`).
 */
export function currentMediaBase(config: { mediaDomain?: string | undefined; keyPrefix?: string | undefined }): string {
  return [config.mediaDomain ?? PROVIDER_HOST, config.keyPrefix].filter(Boolean).join("/");
}

/**
 * The resource name of the anchor of `base` under the component `name`: the base in lower case with every other
 * character than a-z and 0-9 turned into `-`, then 8 hex digits of its SHA-256, so that two bases never share a
 * name (`files.example.com/social` and `files-example.com/social`), e.g. `media-url-files-example-com-social-1b2c3d4e`.
 */
export function mediaUrlAnchorName(name: string, base: string): string {
  const slug = base.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "");
  return `${name}-media-url-${slug}-${createHash("sha256").update(base).digest("hex").slice(0, 8)}`;
}


/**
 * Where Mastodon writes, and who may read it (Mastodon's paperclip.rb and attachment
 * classes). Keys are `[S3_KEY_PREFIX/]CLASS/ATTACHMENT/ID_PARTITION/STYLE/FILE`; remote copies sit under `cache/`.
 * This is the one list the components, the policy pack and the live checks all use.
 */

/**
 * Served to anyone who has the URL: uploads, avatars and headers, emoji, site uploads, remote caches.
 * `preview_cards/` at the top level: preview card images stored before Mastodon's storage schema 1 (before 3.2,
 * when remote files moved under `cache/`). PreviewCard says `local?` is false, so its images go under `cache/`
 * only when the row's `image_storage_schema_version` is 1 or more (config/initializers/paperclip.rb, the
 * `prefix_url` interpolation; app/models/preview_card.rb); older rows keep `preview_cards/images/...`, and
 * Mastodon still links them there.
 */
export const PUBLIC_PREFIXES = [
  "media_attachments/",
  "accounts/",
  "custom_emojis/",
  "site_uploads/",
  "preview_card_providers/",
  "preview_cards/",
  "cache/",
] as const;

/**
 * Never public: user archives (served only through 1-hour presigned URLs) and, before Mastodon 4.4, imports.
 * A bucket-wide anonymous read would expose archives to anyone who learns a URL.
 */
export const PRIVATE_PREFIXES = ["backups/", "imports/"] as const;

/** Every top-level folder Mastodon writes: the public ones, then the private ones. */
export const MASTODON_PREFIXES: readonly string[] = [...PUBLIC_PREFIXES, ...PRIVATE_PREFIXES];

/** Joins the optional S3_KEY_PREFIX in front of a Mastodon prefix. */
export function withKeyPrefix(prefix: string, keyPrefix?: string): string {
  return keyPrefix ? `${keyPrefix}/${prefix}` : prefix;
}

export function publicPrefixes(keyPrefix?: string): string[] {
  return PUBLIC_PREFIXES.map((prefix) => withKeyPrefix(prefix, keyPrefix));
}

export function privatePrefixes(keyPrefix?: string): string[] {
  return PRIVATE_PREFIXES.map((prefix) => withKeyPrefix(prefix, keyPrefix));
}

/** Whether an object key (without the bucket) is meant to be publicly readable. */
export function isPublicKey(key: string, keyPrefix?: string): boolean {
  return publicPrefixes(keyPrefix).some((prefix) => key.startsWith(prefix));
}

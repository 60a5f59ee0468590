import { finding, type Rule } from "../finding";

/**
 * S3_KEY_PREFIX (Mastodon 4.3+) puts every key under PREFIX/. `tootctl media remove-orphans` (lib/mastodon/cli/media.rb)
 * lists the bucket from its root without the prefix (403 when ListBucket is scoped to the prefix), and with
 * `--prefix` it does not strip it before matching, so no key is recognised: orphan cleanup cannot work today.
 */
export const keyPrefix: Rule = ({ env }) => {
  if (env.vars.S3_KEY_PREFIX.state === "empty") {
    return [
      finding(
        "key-prefix-empty",
        "warning",
        "S3_KEY_PREFIX",
        "S3_KEY_PREFIX is present but empty",
        "remove the line, or give the prefix",
      ),
    ];
  }
  if (!env.keyPrefix) return [];
  return [
    finding(
      "key-prefix-orphans",
      "warning",
      "S3_KEY_PREFIX",
      `with S3_KEY_PREFIX=${env.keyPrefix}, \`tootctl media remove-orphans\` cannot work: it lists the bucket without the prefix (refused when the writer may list only under ${env.keyPrefix}/, and with --prefix it matches nothing), so orphaned files are never removed and storage only grows`,
      "keep the prefix if several instances share the bucket, and clean orphans by other means (a lifecycle rule on cache/, or one bucket per instance without S3_KEY_PREFIX)",
    ),
  ];
};

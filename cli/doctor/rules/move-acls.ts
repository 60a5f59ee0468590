import { providerOfEndpoint } from "../../../mastodon-env/providers";
import { finding, type Rule } from "../finding";

/**
 * A move between two storages that both serve by object ACL (`--previous` and this env both send an ACL:
 * S3_PERMISSION absent or set). Copies do not carry ACLs: `aws s3 sync` and rclone write each object with the
 * destination's default ACL, private unless told otherwise (rclone docs, "Amazon S3": `--s3-acl`, "ACLs are not
 * copied"; AWS CLI docs, `s3 sync --acl`). mastodon.social's move left old media private (mastodon/mastodon#12605).
 * Mastodon itself can set every ACL again: `tootctl media remove-orphans --fix-permissions` walks the bucket and
 * sets each object's ACL to what its account's state asks (lib/mastodon/cli/media.rb, option :fix_permissions).
 */
export const moveAcls: Rule = ({ env, previous }) => {
  if (!previous || !previous.env.enabled || !env.enabled) return [];
  // The new storage serves by ACL (public-read on every upload), and the old one set ACLs too.
  if (env.uploadAcl !== "public-read" || !previous.env.uploadAcl) return [];
  const before = providerOfEndpoint(previous.env.endpoint, previous.env.region);
  const now = providerOfEndpoint(env.endpoint, env.region);
  const sameStore = before.apiHost === now.apiHost && previous.env.bucket === env.bucket;
  if (sameStore) return [];
  return [
    finding(
      "move-keeps-acls",
      "warning",
      "S3_PERMISSION",
      `both storages serve media by object ACL (before: x-amz-acl ${previous.env.uploadAcl} on ${before.provider.name}, now: ${env.uploadAcl} on ${now.provider.name}), and a copy does not carry ACLs: every copied object lands private, so old media answers 403 to everyone (it happened to mastodon.social, mastodon/mastodon#12605)`,
      `copy with the ACL set on each object, e.g. rclone copy --s3-acl ${env.uploadAcl} (or aws s3 sync --acl ${env.uploadAcl}); then run tootctl media remove-orphans --fix-permissions on the new storage, which sets each object's ACL from its account's state again (media of suspended accounts private); or serve the new bucket by policy and write S3_PERMISSION=`,
      ["public-read"],
    ),
  ];
};

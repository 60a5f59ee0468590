import { MEDIA_URL_ANCHOR_MARK } from "../../components/media-urls";
import { isBucket } from "../extract/buckets";
import { COMMAND } from "../resource-types";
import type { RuleResource, StackRule } from "../rule";

/** Whether a resource is one of the media URL anchors (components/media-url-anchors.ts). */
export function isMediaUrlAnchor(resource: RuleResource): boolean {
  const triggers = resource.props.triggers;
  return resource.type === COMMAND.localCommand && Array.isArray(triggers) && triggers[0] === MEDIA_URL_ANCHOR_MARK;
}

/**
 * A media URL, once published, must keep answering: other servers keep it (Mastodon admin docs, "Moving your media
 * to object storage"). CrossGuard shows a policy neither the stack's previous state nor its config, so no rule can
 * compare the old media host with the new one. The program anchors every media base it answers for with a
 * resource named after the base (components/media-url-anchors.ts); on a production stack these are protected, and
 * Pulumi's engine refuses to delete a protected resource, so a change that drops a base stops `pulumi preview` and
 * `pulumi up`. This rule makes sure that guard is in place: a production stack that stores media has anchors,
 * all protected; a test stack's anchors are not protected, so that `pulumi destroy` removes them.
 */
export const mediaUrlsAnchored: StackRule = {
  kind: "stack",
  name: "media-urls-anchored",
  description: "Checks whether a production stack anchors its media URLs with protected resources, so that changing the media host or key prefix without keeping the old one is refused.",
  enforcementLevel: "mandatory",
  severity: "high",
  usesEnvironment: true,
  validate(resources, context) {
    const anchors = resources.filter(isMediaUrlAnchor);
    const buckets = resources.filter(isBucket);
    if (context.environment === "production") {
      if (anchors.length === 0) {
        return buckets.map((bucket) => ({
          urn: bucket.urn,
          message: "The production stack must anchor its media URLs (components/media-url-anchors.ts): without the anchors, a change of media host or key prefix breaks every published media URL unnoticed.",
        }));
      }
      return anchors
        .filter((anchor) => !anchor.protect)
        .map((anchor) => ({ urn: anchor.urn, message: "The media URL anchor must be protected on a production stack: it is what makes Pulumi refuse a change that drops a media base." }));
    }
    return anchors
      .filter((anchor) => anchor.protect)
      .map((anchor) => ({ urn: anchor.urn, message: "The media URL anchor must not be protected on a test stack: `pulumi destroy` of a test stack must remove it." }));
  },
};

import { MEDIA_URL_ANCHOR_MARK } from "../../components/media-urls";
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
 * `pulumi up`. This rule keeps that guard working: on a production stack every anchor is protected; a test
 * stack's are not, so that `pulumi destroy` removes them. (A stack without a mediaDomain serves media from the
 * provider's own host and has no anchor: the rule cannot tell that from a stack that lost its anchors, so it
 * does not require one.)
 */
export const mediaUrlsAnchored: StackRule = {
  kind: "stack",
  name: "media-urls-anchored",
  description:
    "Checks whether the anchors of a production stack's media URLs are protected, so that changing the media host or key prefix without keeping the old one is refused (and a test stack's are not).",
  enforcementLevel: "mandatory",
  severity: "high",
  usesEnvironment: true,
  validate(resources, context) {
    const anchors = resources.filter(isMediaUrlAnchor);
    if (context.environment === "production") {
      return anchors
        .filter((anchor) => !anchor.protect)
        .map((anchor) => ({
          urn: anchor.urn,
          message:
            "The media URL anchor must be protected on a production stack: it is what makes Pulumi refuse a change that drops a media base.",
        }));
    }
    return anchors
      .filter((anchor) => anchor.protect)
      .map((anchor) => ({
        urn: anchor.urn,
        message:
          "The media URL anchor must not be protected on a test stack: `pulumi destroy` of a test stack must remove it.",
      }));
  },
};

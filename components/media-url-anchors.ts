import * as pulumi from "@pulumi/pulumi";
import { local } from "@pulumi/command";
import { MEDIA_URL_ANCHOR_MARK, mediaUrlAnchorName } from "./media-urls";

/**
 * The media base is part of every media URL: other servers keep the URL of each file they fetched, and posts link
 * it (Mastodon admin docs, "Moving your media to object storage"). A change of media host or key prefix breaks
 * them all unless the old base keeps answering. Pulumi's engine can refuse such a change on its own: each base the
 * stack answers for (its current one and every one in previousMediaDomains) is anchored by a resource named after
 * it, protected on production stacks. Dropping a base from the program would delete its anchor, and Pulumi refuses
 * to delete a protected resource ("unable to delete resource ... as it is currently marked for protection", Pulumi
 * docs, "Resource options: protect"), so `pulumi preview` and `pulumi up` both stop unless the old base is listed
 * in previousMediaDomains (which keeps its anchor). The engine checks protection when it applies the delete
 * (pulumi/pulumi pkg/resource/deploy/step.go, DeleteStep.Apply), and deletes come after every other step: only a
 * preview stops with nothing changed, so an update must preview first (not --skip-preview, which the Automation
 * API's up passes; .github/workflows/pulumi.yml previews production stacks before their update). The anchors do nothing else:
 * a `command:local:Command` without a create command runs nothing.
 */

export interface MediaUrlAnchorsArgs {
  /** The bases to anchor (anchoredMediaBases). */
  bases: readonly string[];
  environment: "production" | "test";
}

/** Registers one anchor per base, protected on production stacks (a test stack's may go with it). */
export function createMediaUrlAnchors(
  name: string,
  args: MediaUrlAnchorsArgs,
  parent: pulumi.Resource,
): local.Command[] {
  return [...new Set(args.bases)].map(
    (base) =>
      new local.Command(
        mediaUrlAnchorName(name, base),
        { triggers: [MEDIA_URL_ANCHOR_MARK, base] },
        { parent, protect: args.environment === "production" },
      ),
  );
}

import { readFileSync } from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { planStack, PROJECT_ROOT } from "../../offline-plan/run";

/**
 * Upgrading a DigitalOcean stack that still has the bucket policy of the versions before object-ACL mode
 * (issue #21): Pulumi applies deletes last, so `pulumi up` alone creates the per-bucket key while the policy
 * exists, which DigitalOcean refuses (DigitalOcean docs, "How to Configure Bucket Policies"). docs/digitalocean.md
 * must give the working order, with the URN that policy really had: the component's, plus the policy's type and
 * the name `media-bucket-policy` it was registered under (commit bcdcad0 removed it).
 */
describe("the documented upgrade of a stack deployed before object-ACL mode", async () => {
  const docs = readFileSync(path.join(PROJECT_ROOT, "docs/digitalocean.md"), "utf8");
  const section = docs.slice(docs.indexOf("### Upgrading a stack deployed before object-ACL mode"));
  const plan = await planStack("digitalocean");

  it("removes the old policy with pulumi destroy --target, by its real URN, before pulumi up", () => {
    const component = plan.resources.find((resource) => resource.type === "mastodon-media:digitalocean:MediaStorage");
    expect(component?.name).toBe("media");
    const qualifiedType = component!.urn.replace(/^urn:pulumi:[^:]+::/, "urn:pulumi:<stack>::").replace(/::media$/, "");
    const urn = `${qualifiedType}$digitalocean:index/spacesBucketPolicy:SpacesBucketPolicy::media-bucket-policy`;
    const destroy = section.indexOf(`pulumi destroy -s <stack> --target '${urn}'`);
    const up = section.indexOf("pulumi up -s <stack>");
    expect(destroy).toBeGreaterThan(0);
    expect(up).toBeGreaterThan(destroy);
  });

  it("says why pulumi up alone is stuck", () => {
    expect(section).toContain("Pulumi applies deletes last");
    expect(section).not.toContain("The next `pulumi up` deletes the policy if it exists");
  });
});

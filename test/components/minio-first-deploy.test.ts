import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { planStack, PROJECT_ROOT, publicPlan } from "../../offline-plan/run";
import { stackFilePath } from "../../offline-plan/stack-file";
import { nginxServerBlock } from "../../providers/minio/nginx";

/**
 * The first `pulumi up` of a MinIO stack with a mediaDomain runs the self-check against the media host, which
 * only answers once nginx has the stack's configuration (issue #21): so the configuration comes from the offline
 * plan, before anything is deployed, and docs/minio.md orders the steps that way.
 */
describe("a MinIO stack's nginx configuration before the first pulumi up", async () => {
  const root = mkdtempSync(path.join(tmpdir(), "minio-first-deploy-"));
  const yaml = readFileSync(stackFilePath("dev", PROJECT_ROOT), "utf8").replace(
    "  mastodon-media:bucket: example-social-media",
    "  mastodon-media:bucket: example-social-media\n  mastodon-media:mediaDomain: files.example.com",
  );
  writeFileSync(stackFilePath("minioproxy", root), yaml);
  const plan = await planStack("minioproxy", root);

  it("is in the JSON plan, complete and unmasked: exactly what pulumi up will export", () => {
    const written = publicPlan(plan, false).outputs.nginxConfig;
    expect(written).toBe(
      nginxServerBlock({
        mediaDomain: "files.example.com",
        endpoint: "http://127.0.0.1:9000",
        bucket: "example-social-media",
        corsOrigins: ["*"],
      }),
    );
  });

  it("is installed before pulumi up in docs/minio.md", () => {
    const docs = readFileSync(path.join(PROJECT_ROOT, "docs/minio.md"), "utf8");
    const steps = docs.slice(docs.indexOf("## The first deploy with a media domain"));
    const [plan, install, reload, up] = [
      "npm run plan -- --stack <stack> --json plan.json",
      `node -p 'require("./plan.json").outputs.nginxConfig' > /etc/nginx/sites-available/files.example.com`,
      "nginx -t && systemctl reload nginx",
      "pulumi up -s <stack>",
    ].map((step) => steps.indexOf(step));
    expect([plan, install, reload, up].every((at) => at > 0)).toBe(true);
    expect(plan < install && install < reload && reload < up).toBe(true);
  });
});

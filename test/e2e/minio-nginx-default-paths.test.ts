import { spawnSync } from "node:child_process";
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { selfSignedCertificate } from "../helpers/tls";
import { PROJECT_ROOT } from "../../offline-plan/run";
import { nginxServerBlock } from "../../providers/minio/nginx";
import { defaultNginxCachePaths, nginxCacheBusterMap } from "../../providers/minio/nginx-cache";

/**
 * The snippet with its default paths (no `cachePaths`: test/e2e/nginx-cache.ts moves both, which once hid that
 * nginx -t failed on them, issue #22) in Debian's nginx, set up as docs/minio.md says, before and after
 * `pulumi up` writes the secret's file: test/e2e/nginx-default-paths.sh, in a private mount and network namespace
 * (root, or sudo without a password, as the rest of test:e2e needs).
 */
const DOMAIN = "files.example.com";
const SECRET = "defaultPathsCacheBusterSecret0123456789abcdefgh";
const dir = mkdtempSync(path.join(tmpdir(), "nginx-default-paths-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function run(): { status: number | null; out: string } {
  spawnSync("bash", [path.join(PROJECT_ROOT, "scripts/debian-tool.sh"), "nginx"], { stdio: "inherit" });
  chmodSync(dir, 0o755);
  selfSignedCertificate(dir, { commonName: DOMAIN });
  // The upstream is a closed loopback port: what is checked here is nginx's own configuration, not MinIO.
  writeFileSync(
    `${dir}/nginxConfig`,
    nginxServerBlock({
      mediaDomain: DOMAIN,
      endpoint: "http://127.0.0.1:9",
      bucket: "example-social-media",
      corsOrigins: ["*"],
    }),
  );
  writeFileSync(`${dir}/map`, nginxCacheBusterMap(SECRET), { mode: 0o600 });
  writeFileSync(`${dir}/secret`, SECRET, { mode: 0o600 });
  const root = process.getuid?.() === 0 ? [] : ["sudo", "-n"];
  const command = [
    ...root,
    "unshare",
    "-m",
    "-n",
    "--propagation",
    "private",
    "bash",
    path.join(PROJECT_ROOT, "test/e2e/nginx-default-paths.sh"),
    dir,
  ];
  const result = spawnSync(command[0]!, command.slice(1), { encoding: "utf8", timeout: 60_000 });
  return { status: result.status, out: `${result.stdout}${result.stderr}` };
}

/** The x-cache* header lines printed after `-- label` in `phase` (`== phase`). */
function answer(out: string, phase: string, label: string): string[] {
  const section = out.split(/^== /m).find((part) => part.startsWith(phase)) ?? "";
  const block = section.split(/^-- /m).find((part) => part.startsWith(`${label}\n`)) ?? "";
  return block
    .split("\n")
    .slice(1)
    .filter((line) => /^x-cache/i.test(line))
    .map((line) => line.toLowerCase());
}

describe("the MinIO nginx snippet with its default paths, set up as docs/minio.md says", () => {
  const { status, out } = run();

  it("passes nginx -t and starts before the secret's file exists, and again after the documented post-up step", () => {
    expect(out).toContain("== done");
    expect(status, out).toBe(0);
    expect(out.match(/test is successful/g)?.length, out).toBe(2);
  });

  it("lets nginx create the cache folder (only its last part: the parent is /var/cache), owned by the workers' user", () => {
    expect(defaultNginxCachePaths(DOMAIN).cache).toBe(`/var/cache/mastodon-media-${DOMAIN}`);
    expect(out).toContain("cache owner: www-data");
  });

  it("answers a bust request as an ordinary one, saying the buster is not installed, until the file is there", () => {
    expect(answer(out, "before pulumi up", "bust")).toEqual(["x-cache-buster: not-installed", "x-cache-status: miss"]);
    expect(answer(out, "before pulumi up", "ordinary")).toEqual(["x-cache-status: miss"]);
  });

  it("after `install -D -m 600` of nginxCacheBusterMap and a reload: the secret bypasses the cache, other values do not", () => {
    expect(out).toContain("map mode: 600");
    expect(answer(out, "after pulumi up", "bust")).toEqual(["x-cache-status: bypass"]);
    expect(answer(out, "after pulumi up", "wrong secret")).toEqual(["x-cache-status: miss"]);
    expect(answer(out, "after pulumi up", "ordinary")).toEqual(["x-cache-status: miss"]);
  });

  it("is the order and the commands docs/minio.md and docs/takedowns.md give", () => {
    const minio = readFileSync(path.join(PROJECT_ROOT, "docs/minio.md"), "utf8");
    const script = readFileSync(path.join(PROJECT_ROOT, "test/e2e/nginx-default-paths.sh"), "utf8");
    const postUp = `| install -D -m 600 /dev/stdin /etc/nginx/mastodon-media/${DOMAIN}.cache-buster.conf && nginx -t && systemctl reload nginx`;
    expect(minio).toContain(`pulumi stack output nginxCacheBusterMap --show-secrets -s <stack> ${postUp}`);
    expect(readFileSync(path.join(PROJECT_ROOT, "docs/takedowns.md"), "utf8")).toContain(
      `pulumi stack output nginxCacheBusterMap --show-secrets ${postUp}`,
    );
    expect(script).toContain(
      "| install -D -m 600 /dev/stdin /etc/nginx/mastodon-media/$DOMAIN.cache-buster.conf && nginx -t 2>&1 && nginx -s reload",
    );
    const firstDeploy = minio.slice(minio.indexOf("## The first deploy"), minio.indexOf("## The nginx proxy"));
    expect(firstDeploy.indexOf("> /etc/nginx/sites-available/files.example.com")).toBeLessThan(
      firstDeploy.indexOf("pulumi up -s"),
    );
    expect(firstDeploy.indexOf("pulumi up -s")).toBeLessThan(firstDeploy.indexOf("nginxCacheBusterMap"));
    expect(firstDeploy).not.toContain("install -m 600 /dev/null");
  });
});

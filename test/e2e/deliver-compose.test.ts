import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { remoteCommand } from "../../components/mastodon-host/script";
import { BLOCK } from "../helpers/env-merge-fixtures";
import { startSshd, type LocalSshd } from "./sshd";

/**
 * The Docker Compose delivery over a real sshd, with a stand-in `docker` on the session's PATH
 * (test/e2e/fake-docker/docker) that answers `compose config --services`, `up` and `ps` from the compose file
 * as Compose does. The two compose files below have the service names of Mastodon's own: the repository's
 * docker-compose.yml (db, redis, web, streaming, sidekiq) and dist/compose.yml on main (web, streaming,
 * sidekiq-1, a commented sidekiq-2, a YAML anchor for sidekiq's settings).
 */
const DIST_COMPOSE = `x-sidekiq-base: &sidekiq-base
  image: ghcr.io/mastodon/mastodon:v4.5.0
  env_file: .env.production

services:
  web:
    image: ghcr.io/mastodon/mastodon:v4.5.0
    env_file: .env.production
  streaming:
    image: ghcr.io/mastodon/mastodon-streaming:v4.5.0
    env_file: .env.production
  sidekiq-1:
    <<: *sidekiq-base
  # sidekiq-2:
  #   <<: *sidekiq-base

networks:
  internal_network:
`;
const ROOT_COMPOSE = `services:
  db:
    image: postgres:14-alpine
  redis:
    image: redis:7-alpine
  web:
    image: ghcr.io/mastodon/mastodon:v4.3.0
    env_file: .env.production
  streaming:
    image: ghcr.io/mastodon/mastodon-streaming:v4.3.0
    env_file: .env.production
  sidekiq:
    image: ghcr.io/mastodon/mastodon:v4.3.0
    env_file: .env.production
`;
const OLD_ENV = "LOCAL_DOMAIN=social.example.com\nS3_ENABLED=true\nS3_BUCKET=old-bucket\n";

let sshd: LocalSshd;
let counter = 0;

beforeAll(async () => {
  sshd = await startSshd({ pathPrefix: [path.resolve(__dirname, "fake-docker")] });
});
afterAll(async () => sshd?.stop());

function mastodonDirectory(composeName: string, compose: string) {
  const dir = path.join(sshd.dir, `compose-${++counter}`);
  mkdirSync(dir);
  writeFileSync(path.join(dir, composeName), compose);
  writeFileSync(path.join(dir, ".env.production"), OLD_ENV);
  const envPath = path.join(dir, ".env.production");
  return {
    dir,
    envPath,
    recreated: () =>
      existsSync(path.join(dir, "compose.log"))
        ? readFileSync(path.join(dir, "compose.log"), "utf8").split("\n").filter(Boolean)
        : [],
    backups: () => readdirSync(dir).filter((name) => name.startsWith(".env.production.bak-")),
  };
}

describe("the Docker Compose delivery over a real sshd", () => {
  it("recreates the services of Mastodon's dist/compose.yml (web, streaming, sidekiq-1) with the new env", async () => {
    const host = mastodonDirectory("compose.yml", DIST_COMPOSE);
    const run = await sshd.run(
      remoteCommand({ envPath: host.envPath, restart: { kind: "docker-compose", directory: host.dir } }),
      BLOCK,
    );
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("compose services to recreate: web streaming sidekiq-1");
    expect(host.recreated()).toEqual([
      "recreate web S3_BUCKET=social-media running",
      "recreate streaming S3_BUCKET=social-media running",
      "recreate sidekiq-1 S3_BUCKET=social-media running",
    ]);
    expect(run.stdout).toContain("mastodon-media: restarted");
    expect(host.backups()).toHaveLength(1);
  });

  it("recreates web, streaming and sidekiq of the repository's docker-compose.yml, never db or redis", async () => {
    const host = mastodonDirectory("docker-compose.yml", ROOT_COMPOSE);
    const run = await sshd.run(
      remoteCommand({ envPath: host.envPath, restart: { kind: "docker-compose", directory: host.dir } }),
      BLOCK,
    );
    expect(run.code).toBe(0);
    expect(host.recreated().map((line) => line.split(" ")[1])).toEqual(["web", "streaming", "sidekiq"]);
  });

  it("refuses a compose file without Mastodon's services before touching the env, naming what it found", async () => {
    const host = mastodonDirectory(
      "compose.yml",
      "services:\n  mastodon-web:\n    image: x\n  mastodon-sidekiq:\n    image: x\n",
    );
    const run = await sshd.run(
      remoteCommand({ envPath: host.envPath, restart: { kind: "docker-compose", directory: host.dir } }),
      BLOCK,
    );
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(
      /has no web service \(services: mastodon-web mastodon-sidekiq\s*\): set mastodonHost\.restart\.services/,
    );
    expect(readFileSync(host.envPath, "utf8")).toBe(OLD_ENV);
    expect(host.backups()).toEqual([]);
    expect(host.recreated()).toEqual([]);

    // Named in the config, they are used (and checked against the compose file).
    const named = await sshd.run(
      remoteCommand({
        envPath: host.envPath,
        restart: { kind: "docker-compose", directory: host.dir, services: ["mastodon-web", "mastodon-sidekiq"] },
      }),
      BLOCK,
    );
    expect(named.code).toBe(0);
    expect(host.recreated().map((line) => line.split(" ")[1])).toEqual(["mastodon-web", "mastodon-sidekiq"]);
    const typo = await sshd.run(
      remoteCommand({
        envPath: host.envPath,
        restart: { kind: "docker-compose", directory: host.dir, services: ["web"] },
      }),
      BLOCK.replace("social-media", "other-media"),
    );
    expect(typo.code).toBe(1);
    expect(typo.stderr).toMatch(/mastodonHost\.restart\.services names web, which the compose file .* does not define/);
  });

  it("puts the previous env back and restarts with it when Mastodon does not run with the new one", async () => {
    const host = mastodonDirectory("compose.yml", DIST_COMPOSE);
    writeFileSync(path.join(host.dir, "crash-when"), "S3_BUCKET=social-media\n");
    const run = await sshd.run(
      remoteCommand({ envPath: host.envPath, restart: { kind: "docker-compose", directory: host.dir } }),
      BLOCK,
    );
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/not running after the restart: web streaming sidekiq-1/);
    expect(run.stderr).toMatch(
      /the previous env is back in .*\.env\.production and Mastodon was restarted with it \(backup kept: .*\.env\.production\.bak-\d{8}T\d{6}Z\)/,
    );
    expect(readFileSync(host.envPath, "utf8")).toBe(OLD_ENV);
    expect(host.backups()).toHaveLength(1);
    expect(readFileSync(path.join(host.dir, host.backups()[0] as string), "utf8")).toBe(OLD_ENV);
    expect(host.recreated()).toEqual([
      "recreate web S3_BUCKET=social-media exited",
      "recreate streaming S3_BUCKET=social-media exited",
      "recreate sidekiq-1 S3_BUCKET=social-media exited",
      "recreate web S3_BUCKET=old-bucket running",
      "recreate streaming S3_BUCKET=old-bucket running",
      "recreate sidekiq-1 S3_BUCKET=old-bucket running",
    ]);
  });

  it("says Mastodon may be down when the previous env does not start either", async () => {
    const host = mastodonDirectory("compose.yml", DIST_COMPOSE);
    writeFileSync(path.join(host.dir, "crash-when"), "S3_BUCKET=\n");
    const run = await sshd.run(
      remoteCommand({ envPath: host.envPath, restart: { kind: "docker-compose", directory: host.dir } }),
      BLOCK,
    );
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(
      /failed with the new env and again with the previous one, which is back in .*: Mastodon may be down/,
    );
    expect(readFileSync(host.envPath, "utf8")).toBe(OLD_ENV);
  });
});

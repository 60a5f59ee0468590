import { maskEnvSecrets } from "../env";
import { blockNames, LOCATION_VARIABLES } from "./merge";
import { composeRestartCommand, systemdRestartCommand } from "./restart";

export interface ManualStepsOptions {
  /** The env file Mastodon reads. */
  envPath: string;
  /** The rendered block (renderEnv); its secret is masked here. */
  block: string;
  /** The instance, for the check through Mastodon, e.g. social.example.com. */
  webDomain: string;
  /** The Mastodon directory with docker-compose.yml (Docker installs). */
  composeDirectory?: string;
  /** The Pulumi stack, so that every `pulumi stack output` names it (`-s STACK`): an admin may have several. */
  stack: string;
}

/**
 * What `mastodonHost` does, as steps an admin can follow by hand (stack output `mastodonHostSteps`): back up,
 * the edit as a diff (removed: every assignment of a storage variable; added: the block, secret masked),
 * the restart for systemd and for Docker Compose, and the check through Mastodon. Holds no secret.
 */
export function manualSteps(options: ManualStepsOptions): string {
  const { envPath } = options;
  const removed = [...new Set([...LOCATION_VARIABLES, ...blockNames(options.block)])];
  const added = maskEnvSecrets(options.block).trimEnd().split("\n");
  const composeDirectory = options.composeDirectory ?? envPath.replace(/\/[^/]+$/, "");
  return [
    "# 1. Back up the env file",
    `cp -p ${envPath} ${envPath}.bak-$(date -u +%Y%m%dT%H%M%SZ)`,
    "",
    "# 2. Edit it: remove every line (also `export NAME=` and duplicates) that sets one of the - names, and paste the",
    `#    block from \`pulumi stack output envProduction --show-secrets -s ${options.stack}\` where the first of them was. Keep every other line.`,
    `--- ${envPath}`,
    `+++ ${envPath}`,
    ...removed.map((name) => `-${name}=...`),
    ...added.map((line) => `+${line}`),
    "",
    "# 3. Restart Mastodon so that it reads the file (web, sidekiq and streaming)",
    `#    systemd:        ${systemdRestartCommand()}`,
    `#    Docker Compose: ${composeRestartCommand(composeDirectory)}`,
    "",
    "# 4. Check through Mastodon itself (a token with write:media; it uploads, checks and deletes one test image)",
    "read -rs MASTODON_ACCESS_TOKEN && export MASTODON_ACCESS_TOKEN",
    `pulumi stack output envProduction --show-secrets -s ${options.stack} | npm run verify -- --env - --mastodon https://${options.webDomain}`,
    "",
  ].join("\n");
}

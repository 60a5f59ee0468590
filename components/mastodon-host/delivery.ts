import * as pulumi from "@pulumi/pulumi";
import { local, remote } from "@pulumi/command";
import type { MastodonHostConfig } from "../config/mastodon-host";
import { SYSTEMD_UNITS, type RestartSpec } from "./restart";
import { remoteCommand } from "./script";

export interface EnvDeliveryArgs {
  host: MastodonHostConfig;
  /** The rendered block (secret): reaches the host on the SSH session's standard input only. */
  envProduction: pulumi.Output<string>;
  /** The instance the round trip talks to, e.g. https://social.example.com. */
  mastodonUrl: string;
  /** The web origin for the CORS checks of the round trip. */
  origin: string;
  /** What must be in place first: the media storage (its self-check included). */
  dependsOn: pulumi.Input<pulumi.Resource>[];
}

/** The config's restart as the script's RestartSpec. */
export function restartSpec(restart: MastodonHostConfig["restart"]): RestartSpec {
  if (restart === "systemd") return { kind: "systemd", units: [...SYSTEMD_UNITS] };
  if (restart === "none") return { kind: "none" };
  // The services come from the compose file on the host (compose.ts) unless the config names them.
  if ("dockerCompose" in restart)
    return {
      kind: "docker-compose",
      directory: restart.dockerCompose,
      ...(restart.services ? { services: restart.services } : {}),
    };
  return { kind: "command", command: restart.command };
}

/** The round trip through Mastodon `pulumi up` runs when a token is configured (live-checks/mastodon). */
export function roundTripCommand(origin: string, mastodonUrl: string): string {
  return `npm run --silent verify -- --env - --origin ${origin} --mastodon ${mastodonUrl}`;
}

/**
 * Delivers the env block to the Mastodon host (stack config `mastodonHost`): over SSH, the remote script backs
 * up the env file, merges the block, restarts Mastodon (script.ts); then, when an access token is configured,
 * the round trip through Mastodon's API runs from here. Re-runs whenever the block changes; on destroy it changes
 * nothing on the host (no delete command). Secrets: the key, the block and the token are secret inputs;
 * stdout/stderr are secret outputs; the command lines hold none of them.
 */
export class EnvDelivery extends pulumi.ComponentResource {
  readonly log: pulumi.Output<string>;

  constructor(name: string, args: EnvDeliveryArgs, opts: pulumi.ComponentResourceOptions = {}) {
    super("mastodon-media:host:EnvDelivery", name, {}, opts);
    const { host } = args;
    const deliver = new remote.Command(
      `${name}-deliver`,
      {
        connection: {
          host: host.host,
          port: host.port,
          user: host.user,
          privateKey: pulumi.secret(host.privateKey),
          hostKey: host.hostKey,
        },
        create: remoteCommand({ envPath: host.envPath, restart: restartSpec(host.restart) }),
        stdin: args.envProduction,
        // The block is secret; as a trigger it stays encrypted in state, and any change to it re-runs the delivery.
        triggers: [args.envProduction],
        logging: "stdoutAndStderr",
        addPreviousOutputInEnv: false,
      },
      { parent: this, dependsOn: args.dependsOn, additionalSecretOutputs: ["stdout", "stderr"] },
    );
    let log = deliver.stdout;
    if (host.accessToken !== undefined) {
      const roundTrip = new local.Command(
        `${name}-round-trip`,
        {
          create: roundTripCommand(args.origin, args.mastodonUrl),
          stdin: args.envProduction,
          environment: { MASTODON_ACCESS_TOKEN: pulumi.secret(host.accessToken) },
          triggers: [args.envProduction],
          logging: "stdoutAndStderr",
          addPreviousOutputInEnv: false,
        },
        { parent: this, dependsOn: [deliver], additionalSecretOutputs: ["stdout", "stderr"] },
      );
      log = pulumi.all([deliver.stdout, roundTrip.stdout]).apply(([a, b]) => `${a}\n${b}`);
    }
    this.log = log;
    this.registerOutputs({ log });
  }
}

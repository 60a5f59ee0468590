import * as pulumi from "@pulumi/pulumi";
import type { StackConfig } from "../config";
import type { MediaStorageOutputs } from "../contract";
import { EnvDelivery } from "./delivery";
import { manualSteps } from "./steps";

export { EnvDelivery, restartSpec, roundTripCommand } from "./delivery";
export { mergeEnvBlock, LOCATION_VARIABLES } from "./merge";
export { manualSteps } from "./steps";

export const DEFAULT_ENV_PATH = "/home/mastodon/live/.env.production";

/**
 * The stack's Mastodon-host outputs, for every provider alike: `mastodonHostSteps` (the manual steps, secret
 * masked, so not a secret output) always, and, when `mastodonHost` is configured, the delivery itself after
 * `storage` (the media storage component, self-check included) is in place, with its log as a secret output.
 */
export function mastodonHostOutputs(
  name: string,
  config: StackConfig,
  storage: { outputs: MediaStorageOutputs },
): Record<string, pulumi.Output<unknown>> {
  const host = config.mastodonHost;
  const envPath = host?.envPath ?? DEFAULT_ENV_PATH;
  const restart = host?.restart;
  const composeDirectory =
    restart && typeof restart === "object" && "dockerCompose" in restart ? restart.dockerCompose : undefined;
  const outputs: Record<string, pulumi.Output<unknown>> = {
    // The block's one secret is masked by manualSteps: the text may be shown as it is.
    mastodonHostSteps: pulumi.unsecret(
      storage.outputs.envProduction.apply((block) =>
        manualSteps({ envPath, block, webDomain: config.webDomain, composeDirectory, stack: pulumi.getStack() }),
      ),
    ),
  };
  if (host) {
    const delivery = new EnvDelivery(`${name}-mastodon-host`, {
      host,
      envProduction: storage.outputs.envProduction,
      mastodonUrl: `https://${config.webDomain}`,
      origin: `https://${config.webDomain}`,
      dependsOn: storage instanceof pulumi.Resource ? [storage] : [],
    });
    outputs.mastodonHostLog = pulumi.secret(delivery.log);
  }
  return outputs;
}

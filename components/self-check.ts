import * as pulumi from "@pulumi/pulumi";
import { local } from "@pulumi/command";

export interface SelfCheckArgs {
  /** The rendered env block (secret): the checks read it from standard input, never from a file or argv. */
  envProduction: pulumi.Output<string>;
  /** The web origin used for the CORS checks, e.g. https://social.example.com. */
  origin: string;
  /** Values whose change must re-run the checks (bucket policy, CORS, CDN, certificate...). */
  triggers: pulumi.Input<unknown>[];
  /** Everything that must be in place before media can be served. */
  dependsOn: pulumi.Resource[];
}

/**
 * How long the checks may wait for a new CDN or certificate to answer. CloudFront deployments and R2 custom
 * domain certificates usually take minutes.
 */
export const SELF_CHECK_RETRY_SECONDS = 900;

/** The command `pulumi up` runs; the `verify` CLI reads the env block from standard input (`--env -`). */
export function selfCheckCommand(origin: string): string {
  return `npm run --silent verify -- --env - --origin ${origin} --retry-for ${SELF_CHECK_RETRY_SECONDS}`;
}

/**
 * Runs the live checks (`npm run verify`) once the storage exists and again whenever it changes, so that
 * `pulumi up` fails when the media storage does not serve media.
 */
export function createSelfCheck(name: string, args: SelfCheckArgs, parent: pulumi.Resource): local.Command {
  return new local.Command(
    `${name}-self-check`,
    {
      create: selfCheckCommand(args.origin),
      stdin: args.envProduction,
      triggers: args.triggers,
      // Shown while `pulumi up` runs; verify never prints the credential.
      logging: "stdoutAndStderr",
      // Would feed the previous run's output back in: nothing to gain, and one more copy of it.
      addPreviousOutputInEnv: false,
    },
    // stdout/stderr are stored in state in plain text in every version of the command provider: keep them secret
    // even though verify prints no secret (@pulumi/command keeps stdout and stderr in state in plain text: Pulumi registry, command.local.Command).
    { parent, dependsOn: args.dependsOn, additionalSecretOutputs: ["stdout", "stderr"] },
  );
}

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
  /**
   * External DNS: the media host's CNAME the user creates. While it does not resolve the check reports
   * "waiting for DNS" and leaves `pulumi up` successful; `status` (what DNS said when the program ran, see
   * components/dns-status.ts) is a trigger, so the checks run for real on the first `up` after the record appears.
   */
  expectCname?: { host: string; target: pulumi.Input<string>; status: pulumi.Input<string> };
  /** A previous media base (`host[/path]`) the stack redirects: verify checks that one old URL answers 301. */
  previousMediaBase?: string;
}

/**
 * verify's exit code for "pending": only a step the admin takes after `pulumi up` is missing, the DNS record of
 * --expect-cname or a file such as the MinIO nginx's cache buster secret (cli/shared/exit-codes.ts EXIT.pending;
 * test/cli/shared/exit-codes.test.ts holds the two equal, since components/ may not import cli/).
 */
export const VERIFY_EXIT_PENDING = 4;

/**
 * How long the checks may wait for a new CDN or certificate to answer. CloudFront deployments and R2 custom
 * domain certificates usually take minutes.
 */
export const SELF_CHECK_RETRY_SECONDS = 900;

/**
 * The command `pulumi up` runs; the `verify` CLI reads the env block from standard input (`--env -`). verify's
 * "pending" exit ends the command successfully, with a line naming the pending step: verify has printed it
 * (PENDING lines with the exact commands), checked everything else, and nothing failed. A later `pulumi up` re-runs
 * the checks only when a trigger changes (with an expected CNAME, the record's DNS status is one), so the line says
 * to run verify by hand after a step that no trigger sees.
 */
export function selfCheckCommand(
  origin: string,
  expectCname?: { host: string; target: string },
  previousMediaBase?: string,
): string {
  // The base is a validated host[/path] (components/config/validators.ts mediaBase): no shell syntax in it.
  const previous = previousMediaBase ? ` --previous-media-base ${previousMediaBase}` : "";
  const expect = expectCname ? ` --expect-cname ${expectCname.host}=${expectCname.target}` : "";
  const verify = `npm run --silent verify -- --env - --origin ${origin} --retry-for ${SELF_CHECK_RETRY_SECONDS}${previous}${expect}`;
  const step = expectCname
    ? `the DNS record ${expectCname.host} CNAME ${expectCname.target} (the live checks run on the next pulumi up once ${expectCname.host} resolves), or the step after pulumi up named PENDING above (then run npm run verify)`
    : "the step after pulumi up named PENDING above (then run: pulumi stack output envProduction --show-secrets | npm run verify -- --env -)";
  return (
    `${verify}; code=$?; ` +
    `if [ "$code" -eq ${VERIFY_EXIT_PENDING} ]; then echo "self-check pending (not a pass, nothing failed): waiting for ${step}" >&2; exit 0; fi; ` +
    `exit "$code"`
  );
}

/**
 * Runs the live checks (`npm run verify`) once the storage exists and again whenever it changes, so that
 * `pulumi up` fails when the media storage does not serve media.
 */
export function createSelfCheck(name: string, args: SelfCheckArgs, parent: pulumi.Resource): local.Command {
  return new local.Command(
    `${name}-self-check`,
    {
      create: args.expectCname
        ? pulumi
            .output(args.expectCname.target)
            .apply((target) =>
              selfCheckCommand(args.origin, { host: args.expectCname!.host, target }, args.previousMediaBase),
            )
        : selfCheckCommand(args.origin, undefined, args.previousMediaBase),
      stdin: args.envProduction,
      triggers: args.expectCname ? [...args.triggers, args.expectCname.status] : args.triggers,
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

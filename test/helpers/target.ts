import { readTarget, type VerifyTarget } from "../../mastodon-env/target";

/**
 * The one builder of envs and targets for tests: an env as a record of variables (undefined leaves one out),
 * read by verify's own reader (mastodon-env/target.ts readTarget). A test varies a base with the variables it
 * is about: `targetOf({ ...AWS_ENV, S3_PERMISSION: "public-read" })`.
 */

/** The aws stack's rendered env: no ACLs, media on the alias, AWS's documentation example keys. */
export const AWS_ENV: Readonly<Record<string, string>> = {
  S3_ENABLED: "true",
  S3_BUCKET: "example-social-media",
  S3_REGION: "eu-central-1",
  S3_HOSTNAME: "s3.eu-central-1.amazonaws.com",
  S3_ALIAS_HOST: "files.example.com",
  AWS_ACCESS_KEY_ID: "AKIAIOSFODNN7EXAMPLE",
  AWS_SECRET_ACCESS_KEY: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
  S3_PERMISSION: "",
};

/** An env as the map an env file parses to; undefined values are left out. */
export function envValues(env: Readonly<Record<string, string | undefined>>): Map<string, string> {
  return new Map(Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined));
}

/** The target verify reads from `env`; throws with readTarget's problems when it refuses the env. */
export function targetOf(env: Readonly<Record<string, string | undefined>>): VerifyTarget {
  const result = readTarget(envValues(env));
  if (!result.ok) throw new Error(result.problems.join("\n"));
  return result.target;
}

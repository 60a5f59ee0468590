import { parseEnvFile } from "../../mastodon-env/env-file";
import { readTarget, type VerifyTarget } from "../../mastodon-env/target";

/**
 * The one builder of envs and targets for tests: an env as a record of variables (undefined leaves one out),
 * read by verify's own reader (mastodon-env/target.ts readTarget). A test varies a base with the variables it
 * is about: `targetOf({ ...AWS_ENV, S3_PERMISSION: "public-read" })`; or as an env file's text (envText, targetOfText).
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

/**
 * A path-style S3 bucket `lab-media` served over plain HTTP at `endpoint` (a loopback test server,
 * "http://127.0.0.1:PORT"): S3_HOSTNAME is the endpoint's host, no ACLs, example keys; `variables` replace or add
 * variables (another bucket, the keys a test looks for in the output, S3_KEY_PREFIX, ...).
 */
export function loopbackS3Env(
  endpoint: string,
  variables: Readonly<Record<string, string>> = {},
): Record<string, string> {
  return {
    S3_ENABLED: "true",
    S3_BUCKET: "lab-media",
    S3_REGION: "us-east-1",
    S3_ENDPOINT: endpoint,
    S3_HOSTNAME: new URL(endpoint).host,
    S3_PROTOCOL: "http",
    S3_PERMISSION: "",
    AWS_ACCESS_KEY_ID: "AKIAEXAMPLEEXAMPLE12",
    AWS_SECRET_ACCESS_KEY: "abcdefabcdefabcdefabcdefabcdefabcdefabcd",
    ...variables,
  };
}

/** The old bucket's key in a move (a source apart from the writer), for tests that look for it in the output. */
export const OLD_BUCKET_KEY: Readonly<Record<string, string>> = {
  AWS_ACCESS_KEY_ID: "AKIAOLDKEYOLDKEY0000",
  AWS_SECRET_ACCESS_KEY: "oldSecretOldSecretOldSecretOldSecret0000",
};

/** An env as an env file's text: one `NAME=value` line each, in order, ending with a newline. */
export function envText(env: Readonly<Record<string, string>>): string {
  return Object.entries(env)
    .map(([name, value]) => `${name}=${value}\n`)
    .join("");
}

/** An env as the map an env file parses to; undefined values are left out. */
export function envValues(env: Readonly<Record<string, string | undefined>>): Map<string, string> {
  return new Map(Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined));
}

/** The target verify reads from `env`; throws with readTarget's problems when it refuses the env. */
export function targetOf(env: Readonly<Record<string, string | undefined>>): VerifyTarget {
  return targetOfValues(envValues(env));
}

function targetOfValues(values: Map<string, string>): VerifyTarget {
  const result = readTarget(values);
  if (!result.ok) throw new Error(result.problems.join("\n"));
  return result.target;
}

/** The target verify reads from an env file's text (mastodon-env/env-file.ts parseEnvFile); throws like targetOf. */
export function targetOfText(text: string): VerifyTarget {
  return targetOfValues(parseEnvFile(text).values);
}

import * as pulumi from "@pulumi/pulumi";
import { RandomPassword } from "@pulumi/random/randomPassword";
import {
  CACHE_BUSTER_HEADER,
  CACHE_BUSTER_METHOD,
  CACHE_BUSTER_SECRET_LENGTH,
  type CacheBusterInput,
} from "./cache-buster";

/**
 * The stack's cache buster secret: a `random.RandomPassword` (the provider keeps it in state, encrypted as a
 * secret, and generates it once, so `pulumi up` does not change it), wrapped in `pulumi.secret` so that nothing
 * downstream can leak it. Child `${name}-cache-buster-secret` of `parent`.
 */
export function createCacheBuster(name: string, parent: pulumi.Resource): CacheBusterInput {
  const password = new RandomPassword(
    `${name}-cache-buster-secret`,
    { length: CACHE_BUSTER_SECRET_LENGTH, special: false, upper: true, lower: true, numeric: true },
    { parent },
  );
  return { secretHeader: CACHE_BUSTER_HEADER, secret: pulumi.secret(password.result), httpMethod: CACHE_BUSTER_METHOD };
}

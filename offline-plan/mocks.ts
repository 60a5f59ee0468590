import * as pulumi from "@pulumi/pulumi";
import { r2SecretAccessKey } from "../providers/cloudflare/writer-policy";

/**
 * Realistic computed state for every resource type the program creates, as the providers would return it
 * after `pulumi up`. Values are the documented examples (AKIAIOSFODNN7EXAMPLE...), never real credentials.
 * Unknown invokes throw, so a new data source cannot silently plan with nothing.
 *
 * A value the provider assigns at deploy time (an id, an account, a key, a generated host name) is passed
 * through `made`, which records it: the plan's output shows it as "(known after deploy)", never as a value to
 * copy. A value that follows from the inputs by the provider's documented rule (an S3 bucket's ARN, the Spaces
 * CDN endpoint of a bucket) is shown as it is.
 */

const ACCOUNT = "123456789012";
/** A Cloudflare zone id whose mocked zone already has a custom-rules entry point not made by this project. */
export const LEFTOVER_ENTRY_POINT_ZONE = "0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e";
/** A Cloudflare zone id whose mocked zone holds the entry points of another mastodon-media stack (a second instance). */
export const OTHER_STACK_ENTRY_POINT_ZONE = "0d0d0d0d0d0d0d0d0d0d0d0d0d0d0d0d";
type State = Record<string, unknown>;
/** Records a value invented by the mock engine and returns it. */
type Made = <T extends string>(value: T) => T;
type StateFn = (name: string, inputs: State, made: Made) => State;

function shortHash(text: string): string {
  let hash = 0;
  for (const char of text) hash = (hash * 31 + char.charCodeAt(0)) >>> 0;
  return hash.toString(16).padStart(8, "0").slice(0, 7);
}

const autoName = (name: string) => `${name}-${shortHash(name)}`;
/** The input the program gave, or the name the provider would generate (auto-naming adds a random suffix). */
const nameOr = (input: unknown, name: string, made: Made) => (input as string | undefined) ?? made(autoName(name));

const states: Record<string, StateFn> = {
  "aws:s3/bucket:Bucket": (name, inputs, made) => {
    const bucket = nameOr(inputs.bucket, name, made);
    const region = (inputs.region as string | undefined) ?? "us-east-1";
    return {
      bucket,
      region,
      arn: `arn:aws:s3:::${bucket}`,
      bucketDomainName: `${bucket}.s3.amazonaws.com`,
      bucketRegionalDomainName: `${bucket}.s3.${region}.amazonaws.com`,
    };
  },
  "aws:iam/user:User": (name, inputs, made) => {
    const userName = nameOr(inputs.name, name, made);
    return {
      name: userName,
      arn: `arn:aws:iam::${made(ACCOUNT)}:user/${userName}`,
      uniqueId: made("AIDAEXAMPLEUSERID0001"),
    };
  },
  "aws:iam/accessKey:AccessKey": (_name, _inputs, made) => ({
    secret: made("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"),
    status: "Active",
  }),
  "aws:cloudfront/distribution:Distribution": (_name, _inputs, made) => ({
    arn: `arn:aws:cloudfront::${made(ACCOUNT)}:distribution/${made("E2QWRUHEXAMPLE")}`,
    domainName: made("d111111abcdef8.cloudfront.net"),
    // The one hosted zone of every CloudFront alias (Route 53 API reference, AliasTarget): not invented.
    hostedZoneId: "Z2FDTNDATAQYW2",
    etag: made("E2QWRUHEXAMPLE"),
    status: "Deployed",
  }),
  "aws:acm/certificate:Certificate": (_name, inputs, made) => ({
    arn: `arn:aws:acm:us-east-1:${made(ACCOUNT)}:certificate/${made("12345678-1234-1234-1234-123456789012")}`,
    domainValidationOptions: [
      {
        domainName: inputs.domainName,
        resourceRecordName: `${made("_a79865eb4cd1a6ab990a45779b4e0b96")}.${inputs.domainName}.`,
        resourceRecordType: "CNAME",
        resourceRecordValue: `${made("_424c7224e9b0146f9a8808af955727d0")}.acm-validations.aws.`,
      },
    ],
  }),
  "aws:iam/role:Role": (name, inputs, made) => {
    const roleName = nameOr(inputs.name, name, made);
    return { name: roleName, arn: `arn:aws:iam::${made(ACCOUNT)}:role/${roleName}` };
  },
  "aws:lambda/function:Function": (name, inputs, made) => {
    const functionName = nameOr(inputs.name, name, made);
    const region = (inputs.region as string | undefined) ?? "us-east-1";
    return { name: functionName, arn: `arn:aws:lambda:${region}:${made(ACCOUNT)}:function:${functionName}` };
  },
  "aws:lambda/functionUrl:FunctionUrl": (_name, inputs, made) => ({
    functionUrl: `https://${made("abcdefghijklmnopqrstuvwxyz012345")}.lambda-url.${(inputs.region as string | undefined) ?? "us-east-1"}.on.aws/`,
    urlId: made("abcdefghijklmnopqrstuvwxyz012345"),
  }),
  "aws:cloudfront/function:Function": (name, inputs, made) => {
    const functionName = nameOr(inputs.name, name, made);
    return {
      name: functionName,
      arn: `arn:aws:cloudfront::${made(ACCOUNT)}:function/${functionName}`,
      status: "UNASSOCIATED",
    };
  },
  "aws:acm/certificateValidation:CertificateValidation": (_name, inputs) => ({ certificateArn: inputs.certificateArn }),
  "aws:route53/record:Record": (_name, inputs) => ({ fqdn: inputs.name }),
  "cloudflare:index/accountToken:AccountToken": (_name, _inputs, made) => {
    const value = made("mock-r2-token-value-EXAMPLE");
    // The program derives the writer's S3 secret from it (providers/cloudflare/writer-policy.ts): invented too.
    made(r2SecretAccessKey(value));
    return { value, status: "active" };
  },
  "cloudflare:index/r2Bucket:R2Bucket": (_name, inputs, made) => ({
    jurisdiction: (inputs.jurisdiction as string | undefined) ?? "default",
    storageClass: "Standard",
    creationDate: made("2025-01-01T00:00:00.000Z"),
  }),
  "cloudflare:index/r2CustomDomain:R2CustomDomain": (_name, inputs) => ({
    status: { ownership: "active", ssl: "active" },
    zoneName: String(inputs.domain).split(".").slice(-2).join("."),
  }),
  "cloudflare:index/r2ManagedDomain:R2ManagedDomain": (name, _inputs, made) => ({
    bucketId: made("0f1e2d3c4b5a69788796a5b4c3d2e1f0"),
    domain: made(`pub-${shortHash(name)}0123456789abcdef012345678.r2.dev`),
  }),
  "digitalocean:index/spacesBucket:SpacesBucket": (name, inputs, made) => {
    const bucket = nameOr(inputs.name, name, made);
    const region = (inputs.region as string | undefined) ?? "nyc3";
    return {
      name: bucket,
      region,
      bucketDomainName: `${bucket}.${region}.digitaloceanspaces.com`,
      endpoint: `${region}.digitaloceanspaces.com`,
      bucketUrn: `do:space:${bucket}`,
    };
  },
  "digitalocean:index/spacesKey:SpacesKey": (_name, _inputs, made) => ({
    accessKey: made("DO00EXAMPLEACCESSKEY"),
    secretKey: made("EXAMPLEspacesSecretKey0000000000000000000000"),
  }),
  "digitalocean:index/certificate:Certificate": (name, inputs, made) => ({
    name: nameOr(inputs.name, name, made),
    uuid: made("4de7ac8b-495b-4884-9a69-1050c6793cd6"),
    state: "verified",
  }),
  "digitalocean:index/cdn:Cdn": (_name, inputs) => ({
    endpoint: String(inputs.origin).replace(/\.digitaloceanspaces\.com$/, ".cdn.digitaloceanspaces.com"),
  }),
  "minio:index/s3Bucket:S3Bucket": (name, inputs, made) => {
    const bucket = nameOr(inputs.bucket, name, made);
    return { bucket, arn: `arn:aws:s3:::${bucket}`, bucketDomainName: made(`${bucket}.minio.local`) };
  },
  "minio:index/iamUser:IamUser": (name, inputs, made) => ({
    name: nameOr(inputs.name, name, made),
    secret: (inputs.secret as string | undefined) ?? made("minioWriterSecretEXAMPLE0000000000000000"),
  }),
  "minio:index/iamPolicy:IamPolicy": (name, inputs, made) => ({ name: nameOr(inputs.name, name, made) }),
  "minio:index/iamServiceAccount:IamServiceAccount": (_name, _inputs, made) => ({
    accessKey: made("MINIOWRITEREXAMPLE01"),
    secretKey: made("minioServiceAccountSecretEXAMPLE00000000"),
  }),
  "command:local:Command": () => ({ stdout: "", stderr: "" }),
  // Generated once at deploy time; the plan shows it as "(known after deploy)" (when secrets are shown at all).
  "random:index/randomPassword:RandomPassword": (_name, inputs, made) => ({
    result: made("mockCacheBusterSecretEXAMPLE".padEnd(Number(inputs.length ?? 48), "0")),
  }),
};

/** Resources whose id is a value users see (an access key id, a token id). */
const fixedIds: Record<string, string> = {
  "aws:iam/accessKey:AccessKey": "AKIAIOSFODNN7EXAMPLE",
  "cloudflare:index/accountToken:AccountToken": "8f4a0c3e2b1d4e6f9a7b5c3d1e0f2a4b",
};

/** Data sources the program may call, with realistic answers. */
const invokes: Record<string, (inputs: State) => State> = {
  // A zone with no entry-point ruleset yet, except LEFTOVER_ENTRY_POINT_ZONE: an empty custom-rules entry point
  // left behind in the dashboard after its last rule was deleted.
  "cloudflare:index/getRulesets:getRulesets": (inputs) => ({
    zoneId: inputs.zoneId,
    rulesets:
      inputs.zoneId === OTHER_STACK_ENTRY_POINT_ZONE
        ? [
            {
              id: "5a5a5a5a5a5a4a5a9a5a5a5a5a5a5a5a",
              kind: "zone",
              name: "Zone custom rules (managed by mastodon-media)",
              phase: "http_request_firewall_custom",
              description:
                "Custom WAF rules of the zone, managed by the mastodon-media Pulumi project [mastodon-media stack acme/mastodon-media/production]",
              lastUpdated: "2025-03-01T10:00:00Z",
              version: "2",
            },
          ]
        : inputs.zoneId === LEFTOVER_ENTRY_POINT_ZONE
          ? [
              {
                id: "2f2feab2026849078ba485f918791bdc",
                kind: "zone",
                name: "default",
                phase: "http_request_firewall_custom",
                description: "",
                lastUpdated: "2025-03-01T10:00:00Z",
                version: "3",
              },
              {
                id: "77454fe2d30c4220b5701f6fdfb893ba",
                kind: "managed",
                name: "Cloudflare Managed Free Ruleset",
                phase: "http_request_firewall_managed",
                description: "",
                lastUpdated: "2025-03-01T10:00:00Z",
                version: "12",
              },
            ]
          : [],
  }),
  // Every mocked zone is example.com.
  "cloudflare:index/getZone:getZone": (inputs) => ({ id: inputs.zoneId, zoneId: inputs.zoneId, name: "example.com" }),
  "cloudflare:index/getAccountApiTokenPermissionGroupsList:getAccountApiTokenPermissionGroupsList": () => ({
    results: [
      {
        id: "2efd5506f9c8494dacb1fa10a3e7d5b6",
        name: "Workers R2 Storage Bucket Item Write",
        scopes: ["com.cloudflare.edge.r2.bucket"],
      },
      {
        id: "6a018a9f2fc74eb6b293b0c548f38b39",
        name: "Workers R2 Storage Bucket Item Read",
        scopes: ["com.cloudflare.edge.r2.bucket"],
      },
      {
        id: "bf7481a1826f439697cb59a20b22293e",
        name: "Workers R2 Storage Write",
        scopes: ["com.cloudflare.api.account"],
      },
      { id: "e17beae8b8cb423a99b1730f21238bed", name: "Cache Purge", scopes: ["com.cloudflare.api.account.zone"] },
    ],
  }),
};

/** Names of state fields the engine keeps secret for a resource (its additionalSecretOutputs). */
export type SecretOutputsLookup = (type: string, name: string) => readonly string[];

/**
 * The mock engine's callbacks. Every value it invents (ids, accounts, keys, generated names) is added to
 * `invented`, so that the plan can show it as what it is.
 */
export function createMocks(
  secretOutputs: SecretOutputsLookup,
  invented: Set<string> = new Set(),
): pulumi.runtime.Mocks {
  const made: Made = (value) => {
    invented.add(value);
    return value;
  };
  return {
    newResource(args: pulumi.runtime.MockResourceArgs): pulumi.runtime.MockResourceResult {
      const computed = states[args.type]?.(args.name, args.inputs, made) ?? {};
      const state: State = { ...args.inputs, ...computed };
      // The engine applies additionalSecretOutputs after the provider answers; mocks must do the same.
      for (const key of secretOutputs(args.type, args.name)) {
        if (state[key] !== undefined) state[key] = pulumi.secret(state[key]);
      }
      return { id: made(fixedIds[args.type] ?? `${args.name}-id`), state };
    },
    call(args: pulumi.runtime.MockCallArgs): pulumi.runtime.MockCallResult {
      const invoke = invokes[args.token];
      if (!invoke) throw new Error(`Mock not implemented: ${args.token}`);
      return invoke(args.inputs);
    },
  };
}

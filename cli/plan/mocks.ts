import * as pulumi from "@pulumi/pulumi";

/**
 * Realistic computed state for every resource type the program creates, as the providers would return it
 * after `pulumi up`. Values are the documented examples (AKIAIOSFODNN7EXAMPLE...), never real credentials.
 * Unknown invokes throw, so a new data source cannot silently plan with nothing.
 */

const ACCOUNT = "123456789012";
/** A Cloudflare zone id whose mocked zone already has a custom-rules entry point not made by this project. */
export const LEFTOVER_ENTRY_POINT_ZONE = "0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e";
type State = Record<string, unknown>;
type StateFn = (name: string, inputs: State) => State;

function shortHash(text: string): string {
  let hash = 0;
  for (const char of text) hash = (hash * 31 + char.charCodeAt(0)) >>> 0;
  return hash.toString(16).padStart(8, "0").slice(0, 7);
}

const autoName = (name: string) => `${name}-${shortHash(name)}`;

const states: Record<string, StateFn> = {
  "aws:s3/bucket:Bucket": (name, inputs) => {
    const bucket = (inputs.bucket as string | undefined) ?? autoName(name);
    const region = (inputs.region as string | undefined) ?? "us-east-1";
    return {
      bucket,
      region,
      arn: `arn:aws:s3:::${bucket}`,
      bucketDomainName: `${bucket}.s3.amazonaws.com`,
      bucketRegionalDomainName: `${bucket}.s3.${region}.amazonaws.com`,
    };
  },
  "aws:iam/user:User": (name, inputs) => {
    const userName = (inputs.name as string | undefined) ?? autoName(name);
    return { name: userName, arn: `arn:aws:iam::${ACCOUNT}:user/${userName}`, uniqueId: "AIDAEXAMPLEUSERID0001" };
  },
  "aws:iam/accessKey:AccessKey": () => ({ secret: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", status: "Active" }),
  "aws:cloudfront/distribution:Distribution": () => ({
    arn: `arn:aws:cloudfront::${ACCOUNT}:distribution/E2QWRUHEXAMPLE`,
    domainName: "d111111abcdef8.cloudfront.net",
    hostedZoneId: "Z2FDTNDATAQYW2",
    etag: "E2QWRUHEXAMPLE",
    status: "Deployed",
  }),
  "aws:acm/certificate:Certificate": (_name, inputs) => ({
    arn: `arn:aws:acm:us-east-1:${ACCOUNT}:certificate/12345678-1234-1234-1234-123456789012`,
    domainValidationOptions: [
      {
        domainName: inputs.domainName,
        resourceRecordName: `_a79865eb4cd1a6ab990a45779b4e0b96.${inputs.domainName}.`,
        resourceRecordType: "CNAME",
        resourceRecordValue: "_424c7224e9b0146f9a8808af955727d0.acm-validations.aws.",
      },
    ],
  }),
  "aws:acm/certificateValidation:CertificateValidation": (_name, inputs) => ({ certificateArn: inputs.certificateArn }),
  "aws:route53/record:Record": (_name, inputs) => ({ fqdn: inputs.name }),
  "cloudflare:index/accountToken:AccountToken": () => ({
    value: "mock-r2-token-value-EXAMPLE",
    status: "active",
  }),
  "cloudflare:index/r2Bucket:R2Bucket": (_name, inputs) => ({
    jurisdiction: (inputs.jurisdiction as string | undefined) ?? "default",
    storageClass: "Standard",
    creationDate: "2025-01-01T00:00:00.000Z",
  }),
  "cloudflare:index/r2CustomDomain:R2CustomDomain": (_name, inputs) => ({
    status: { ownership: "active", ssl: "active" },
    zoneName: String(inputs.domain).split(".").slice(-2).join("."),
  }),
  "cloudflare:index/r2ManagedDomain:R2ManagedDomain": (name) => ({
    bucketId: "0f1e2d3c4b5a69788796a5b4c3d2e1f0",
    domain: `pub-${shortHash(name)}0123456789abcdef012345678.r2.dev`,
  }),
  "digitalocean:index/spacesBucket:SpacesBucket": (name, inputs) => {
    const bucket = (inputs.name as string | undefined) ?? autoName(name);
    const region = (inputs.region as string | undefined) ?? "nyc3";
    return {
      name: bucket,
      region,
      bucketDomainName: `${bucket}.${region}.digitaloceanspaces.com`,
      endpoint: `${region}.digitaloceanspaces.com`,
      bucketUrn: `do:space:${bucket}`,
    };
  },
  "digitalocean:index/spacesKey:SpacesKey": () => ({
    accessKey: "DO00EXAMPLEACCESSKEY",
    secretKey: "EXAMPLEspacesSecretKey0000000000000000000000",
  }),
  "digitalocean:index/certificate:Certificate": (name, inputs) => ({
    name: (inputs.name as string | undefined) ?? autoName(name),
    uuid: "4de7ac8b-495b-4884-9a69-1050c6793cd6",
    state: "verified",
  }),
  "digitalocean:index/cdn:Cdn": (_name, inputs) => ({
    endpoint: String(inputs.origin).replace(/\.digitaloceanspaces\.com$/, ".cdn.digitaloceanspaces.com"),
  }),
  "minio:index/s3Bucket:S3Bucket": (name, inputs) => {
    const bucket = (inputs.bucket as string | undefined) ?? autoName(name);
    return { bucket, arn: `arn:aws:s3:::${bucket}`, bucketDomainName: `${bucket}.minio.local` };
  },
  "minio:index/iamUser:IamUser": (name, inputs) => ({
    name: (inputs.name as string | undefined) ?? autoName(name),
    secret: (inputs.secret as string | undefined) ?? "minioWriterSecretEXAMPLE0000000000000000",
  }),
  "minio:index/iamPolicy:IamPolicy": (name, inputs) => ({ name: (inputs.name as string | undefined) ?? autoName(name) }),
  "minio:index/iamServiceAccount:IamServiceAccount": () => ({
    accessKey: "MINIOWRITEREXAMPLE01",
    secretKey: "minioServiceAccountSecretEXAMPLE00000000",
  }),
  "command:local:Command": () => ({ stdout: "", stderr: "" }),
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
      inputs.zoneId === LEFTOVER_ENTRY_POINT_ZONE
        ? [
            { id: "2f2feab2026849078ba485f918791bdc", kind: "zone", name: "default", phase: "http_request_firewall_custom", description: "", lastUpdated: "2025-03-01T10:00:00Z", version: "3" },
            { id: "77454fe2d30c4220b5701f6fdfb893ba", kind: "managed", name: "Cloudflare Managed Free Ruleset", phase: "http_request_firewall_managed", description: "", lastUpdated: "2025-03-01T10:00:00Z", version: "12" },
          ]
        : [],
  }),
  "cloudflare:index/getAccountApiTokenPermissionGroupsList:getAccountApiTokenPermissionGroupsList": () => ({
    results: [
      { id: "2efd5506f9c8494dacb1fa10a3e7d5b6", name: "Workers R2 Storage Bucket Item Write", scopes: ["com.cloudflare.edge.r2.bucket"] },
      { id: "6a018a9f2fc74eb6b293b0c548f38b39", name: "Workers R2 Storage Bucket Item Read", scopes: ["com.cloudflare.edge.r2.bucket"] },
      { id: "bf7481a1826f439697cb59a20b22293e", name: "Workers R2 Storage Write", scopes: ["com.cloudflare.api.account"] },
    ],
  }),
};

/** Names of state fields the engine keeps secret for a resource (its additionalSecretOutputs). */
export type SecretOutputsLookup = (type: string, name: string) => readonly string[];

export function createMocks(secretOutputs: SecretOutputsLookup): pulumi.runtime.Mocks {
  return {
    newResource(args: pulumi.runtime.MockResourceArgs): pulumi.runtime.MockResourceResult {
      const computed = states[args.type]?.(args.name, args.inputs) ?? {};
      const state: State = { ...args.inputs, ...computed };
      // The engine applies additionalSecretOutputs after the provider answers; mocks must do the same.
      for (const key of secretOutputs(args.type, args.name)) {
        if (state[key] !== undefined) state[key] = pulumi.secret(state[key]);
      }
      return { id: fixedIds[args.type] ?? `${args.name}-id`, state };
    },
    call(args: pulumi.runtime.MockCallArgs): pulumi.runtime.MockCallResult {
      const invoke = invokes[args.token];
      if (!invoke) throw new Error(`Mock not implemented: ${args.token}`);
      return invoke(args.inputs);
    },
  };
}

import { describe, expect, it } from "vitest";
import { planStack, PROJECT_ROOT } from "../../offline-plan/run";
import { committedStacks } from "../../cli/plan/stacks";
import { readStackFile, type StackFileConfig } from "../../offline-plan/stack-file";
import type { Plan, PlannedResource } from "../../components/plan-model";
import { evaluatePlan } from "../../policy/evaluate";
import { BUCKET_TYPES } from "../../policy/extract/buckets";
import { AWS, CLOUDFLARE, DIGITALOCEAN, MINIO } from "../../policy/resource-types";

/**
 * Every committed stack's real plan, broken one thing at a time: the pack must catch each break, on the resource
 * that was broken, and must not have flagged that resource before. Iterates over the committed Pulumi.*.yaml files.
 */
const STACKS = committedStacks(PROJECT_ROOT);

/** The committed cloudflare stack with the opt-in cache buster Worker and its purge token (cloudflare.cacheBuster). */
const CLOUDFLARE_CACHE_BUSTER = "cloudflare with cloudflare.cacheBuster: true";

function cloudflareWithCacheBuster(): StackFileConfig {
  const file = readStackFile("cloudflare", PROJECT_ROOT);
  const block = JSON.parse(file.config["mastodon-media:cloudflare"] ?? "{}") as Record<string, unknown>;
  return {
    ...file,
    config: { ...file.config, "mastodon-media:cloudflare": JSON.stringify({ ...block, cacheBuster: true }) },
  };
}

interface Mutation {
  name: string;
  /** The policy that must catch it. */
  policy: string;
  /** Providers whose stacks must offer something to break (the table is not allowed to apply to nothing). */
  providers: string[];
  /** Breaks the resources in place; returns the URNs the policy must then report (none: not applicable). */
  apply(resources: PlannedResource[]): string[];
  /** Stack config the break also changes (the unbroken stack is judged with its own config). */
  stackConfig?: Record<string, string>;
  /** Only these plans (by label, below) must offer a target: what an opt-in key adds. */
  only?: string[];
}

const ofType = (resources: PlannedResource[], ...types: string[]) =>
  resources.filter((resource) => types.includes(resource.type));

/** Rewrites a JSON input (a policy document) of each resource. */
function editJson(
  resources: PlannedResource[],
  key: string,
  edit: (document: { Statement: Record<string, unknown>[] }) => void,
): string[] {
  return resources.map((resource) => {
    const document = JSON.parse(String(resource.inputs[key]));
    edit(document);
    resource.inputs[key] = JSON.stringify(document);
    return resource.urn;
  });
}

const asList = (value: unknown): unknown[] => (Array.isArray(value) ? value : [value]);
const bucketOf = (resource: PlannedResource) => String(resource.inputs.bucket);
const bucketPolicies = (resources: PlannedResource[]) =>
  ofType(resources, AWS.bucketPolicy, DIGITALOCEAN.spacesBucketPolicy, MINIO.s3BucketPolicy);

/** Rewrites the expression of every WAF custom rule; the R2 custom domains are what the guard policy reports. */
function guardMutant(resources: PlannedResource[], edit: (expression: string) => string): string[] {
  let changed = false;
  for (const ruleset of ofType(resources, CLOUDFLARE.ruleset).filter(
    (ruleset) => ruleset.inputs.phase === "http_request_firewall_custom",
  )) {
    for (const rule of ruleset.inputs.rules as { expression: string }[]) {
      const edited = edit(rule.expression);
      changed ||= edited !== rule.expression;
      rule.expression = edited;
    }
  }
  return changed ? ofType(resources, CLOUDFLARE.r2CustomDomain).map((domain) => domain.urn) : [];
}

/** Adds a Spaces bucket policy (anonymous read on the public prefixes) beside each Spaces bucket of the plan. */
function addSpacesBucketPolicy(resources: PlannedResource[]): string[] {
  return ofType(resources, DIGITALOCEAN.spacesBucket).map((bucket) => {
    const name = `${bucket.name}-policy`;
    const urn = bucket.urn.replace(/\$[^$]*::[^:]*$/, `$${DIGITALOCEAN.spacesBucketPolicy}::${name}`);
    const document = { Version: "2012-10-17", Statement: [publicReadStatement(String(bucket.inputs.name))] };
    resources.push({
      ...structuredClone(bucket),
      type: DIGITALOCEAN.spacesBucketPolicy,
      name,
      urn,
      protect: false,
      retainOnDelete: false,
      inputs: { bucket: bucket.inputs.name, region: bucket.inputs.region, policy: JSON.stringify(document) },
    });
    return urn;
  });
}

const publicReadStatement = (bucket: string) => ({
  Effect: "Allow",
  Principal: { AWS: ["*"] },
  Action: ["s3:GetObject"],
  Resource: [`arn:aws:s3:::${bucket}/media_attachments/*`],
});

const MUTATIONS: Mutation[] = [
  {
    name: "anonymous s3:ListBucket in the bucket policy",
    policy: "bucket-policy-public-access-read-only",
    // Spaces has no bucket policy (object-ACL mode): its bucket-wide grant is the bucket ACL, below.
    providers: ["aws", "minio"],
    apply: (resources) =>
      bucketPolicies(resources).flatMap((policy) =>
        editJson([policy], "policy", (document) => {
          document.Statement.push({
            Sid: "Mutation",
            Effect: "Allow",
            Principal: "*",
            Action: "s3:ListBucket",
            Resource: `arn:aws:s3:::${bucketOf(policy)}`,
          });
        }),
      ),
  },
  {
    name: "public backups/ in the bucket policy",
    policy: "bucket-policy-public-read-limited-to-public-prefixes",
    providers: ["aws", "minio"],
    apply: (resources) =>
      bucketPolicies(resources).flatMap((policy) =>
        editJson([policy], "policy", (document) => {
          const statement = document.Statement[0] as { Resource: unknown };
          statement.Resource = [...asList(statement.Resource), `arn:aws:s3:::${bucketOf(policy)}/backups/*`];
        }),
      ),
  },
  {
    name: "a public-read bucket ACL (anyone lists every key, backups/ included)",
    policy: "bucket-acl-not-public",
    providers: ["digitalocean", "minio"],
    apply: (resources) =>
      ofType(resources, DIGITALOCEAN.spacesBucket, MINIO.s3Bucket).map((bucket) => {
        bucket.inputs.acl = "public-read";
        return bucket.urn;
      }),
  },
  {
    name: "a Spaces bucket policy beside the per-bucket key",
    policy: "spaces-scoped-key-without-bucket-policy",
    providers: ["digitalocean"],
    apply: addSpacesBucketPolicy,
  },
  {
    name: "public backups/ on the R2 custom domain (WAF clause removed)",
    policy: "r2-private-prefixes-blocked",
    providers: ["cloudflare"],
    apply: (resources) => {
      for (const ruleset of ofType(resources, CLOUDFLARE.ruleset)) {
        for (const rule of ruleset.inputs.rules as { expression: string }[])
          rule.expression = rule.expression.replaceAll("/backups/", "/unguarded/");
      }
      return ofType(resources, CLOUDFLARE.ruleset).length > 0
        ? ofType(resources, CLOUDFLARE.r2CustomDomain).map((domain) => domain.urn)
        : [];
    },
  },
  {
    name: "the R2 guard for the exact Host only (a trailing dot or upper case gets through)",
    policy: "r2-private-prefixes-blocked",
    providers: ["cloudflare"],
    apply: (resources) =>
      guardMutant(resources, (expression) =>
        expression.replace(/lower\(http\.host\) in \{("[^"]+") "[^"]+"\}/, "http.host eq $1"),
      ),
  },
  {
    name: "the R2 guard without the decoded path (%2F gets through)",
    policy: "r2-private-prefixes-blocked",
    providers: ["cloudflare"],
    apply: (resources) =>
      guardMutant(resources, (expression) =>
        expression.replace(/ or url_decode\(http\.request\.uri\.path\) contains "[^"]+"/g, ""),
      ),
  },
  {
    name: "the R2 guard for this stack's key prefix only (starts_with at the root)",
    policy: "r2-private-prefixes-blocked",
    providers: ["cloudflare"],
    apply: (resources) =>
      guardMutant(resources, (expression) =>
        expression.replace(
          /(url_decode\(http\.request\.uri\.path\)|http\.request\.uri\.path) contains ("[^"]+")/g,
          "starts_with($1, $2)",
        ),
      ),
  },
  {
    name: "the R2 guard blocking every path of the media host (public media too)",
    policy: "r2-private-prefixes-blocked",
    providers: ["cloudflare"],
    apply: (resources) => guardMutant(resources, (expression) => expression.replace(/ and \(.*\)\)$/, ")")),
  },
  {
    name: "an R2 token scoped to the bucket's name in another jurisdiction",
    policy: "writer-scoped-to-stack-bucket",
    providers: ["cloudflare"],
    apply: (resources) =>
      ofType(resources, CLOUDFLARE.accountToken, CLOUDFLARE.apiToken).flatMap((token) => {
        const before = JSON.stringify(token.inputs.policies);
        for (const policy of token.inputs.policies as { resources: string }[])
          policy.resources = policy.resources.replace("_default_", "_eu_");
        return JSON.stringify(token.inputs.policies) === before ? [] : [token.urn];
      }),
  },
  {
    // The cache buster's purge token is told from a writer's by its exact shape: one more group makes it a writer's.
    name: "an R2 group in the cache purge token",
    policy: "r2-token-bucket-item-scoped",
    providers: ["cloudflare"],
    only: [CLOUDFLARE_CACHE_BUSTER],
    apply: (resources) =>
      ofType(resources, CLOUDFLARE.accountToken)
        .filter((token) => token.name.endsWith("-cache-buster-token"))
        .map((token) => {
          (token.inputs.policies as { permissionGroups: { id: string }[] }[])[0]!.permissionGroups.push({
            id: "bf7481a1826f439697cb59a20b22293e",
          });
          return token.urn;
        }),
  },
  {
    name: "a lifecycle rule expiring current objects",
    policy: "bucket-lifecycle-keeps-media",
    providers: ["aws", "cloudflare", "digitalocean", "minio"],
    apply: (resources) => {
      const broken = [
        ...ofType(resources, AWS.bucketLifecycle).map((lifecycle) => {
          (lifecycle.inputs.rules as Record<string, unknown>[]).push({
            id: "expire",
            status: "Enabled",
            filter: { prefix: "" },
            expiration: { days: 30 },
          });
          return lifecycle.urn;
        }),
        ...ofType(resources, CLOUDFLARE.r2BucketLifecycle).map((lifecycle) => {
          (lifecycle.inputs.rules as Record<string, unknown>[]).push({
            id: "expire",
            enabled: true,
            conditions: { prefix: "" },
            deleteObjectsTransition: { condition: { type: "Age", maxAge: 2592000 } },
          });
          return lifecycle.urn;
        }),
        ...ofType(resources, DIGITALOCEAN.spacesBucket).map((bucket) => {
          (bucket.inputs.lifecycleRules as Record<string, unknown>[]).push({
            id: "expire",
            enabled: true,
            expiration: { days: 30 },
          });
          return bucket.urn;
        }),
      ];
      // MinIO stacks write no lifecycle (MinIO purges stale uploads itself): the mutant adds one.
      for (const bucket of ofType(resources, MINIO.s3Bucket)) {
        const urn = bucket.urn.replace(
          /\$minio:index\/s3Bucket:S3Bucket::[^:]+$/,
          "$minio:index/ilmPolicy:IlmPolicy::mutant-ilm",
        );
        resources.push({
          ...bucket,
          type: MINIO.ilmPolicy,
          name: "mutant-ilm",
          urn,
          inputs: { bucket: bucket.inputs.bucket, rules: [{ id: "expire", expiration: "30d" }] },
          protect: false,
          retainOnDelete: false,
        });
        broken.push(urn);
      }
      return broken;
    },
  },
  {
    name: "a bucket-policy grant to another AWS account",
    policy: "bucket-policy-principals-limited",
    providers: ["aws", "minio"],
    apply: (resources) =>
      ofType(resources, AWS.bucketPolicy, MINIO.s3BucketPolicy).flatMap((policy) =>
        editJson([policy], "policy", (document) => {
          document.Statement.push({
            Sid: "Mutation",
            Effect: "Allow",
            Principal: { AWS: "arn:aws:iam::999999999999:root" },
            Action: "s3:GetObject",
            Resource: `arn:aws:s3:::${bucketOf(policy)}/media_attachments/*`,
          });
        }),
      ),
  },
  {
    name: 'a bucket-policy grant to {"AWS":"*"} on AWS',
    policy: "bucket-policy-principals-limited",
    providers: ["aws"],
    apply: (resources) =>
      editJson(ofType(resources, AWS.bucketPolicy), "policy", (document) => {
        document.Statement.push({
          Sid: "Mutation",
          Effect: "Allow",
          Principal: { AWS: "*" },
          Action: "s3:GetObject",
          Resource: "arn:aws:s3:::example-social-media/media_attachments/*",
        });
      }),
  },
  {
    name: "the CloudFront service principal without its SourceArn condition",
    policy: "bucket-policy-principals-limited",
    providers: ["aws"],
    apply: (resources) =>
      editJson(ofType(resources, AWS.bucketPolicy), "policy", (document) => {
        delete document.Statement[0]!.Condition;
      }),
  },
  {
    name: "the CloudFront service principal pinned to an account only (aws:SourceAccount)",
    policy: "bucket-policy-principals-limited",
    providers: ["aws"],
    apply: (resources) =>
      editJson(ofType(resources, AWS.bucketPolicy), "policy", (document) => {
        document.Statement[0]!.Condition = { StringEquals: { "AWS:SourceAccount": "123456789012" } };
      }),
  },
  {
    name: "a second statement for another account's distribution",
    policy: "bucket-policy-principals-limited",
    providers: ["aws"],
    apply: (resources) =>
      editJson(ofType(resources, AWS.bucketPolicy), "policy", (document) => {
        const other = structuredClone(document.Statement[0]!);
        other.Sid = "OtherDistribution";
        other.Condition = {
          StringEquals: { "AWS:SourceArn": "arn:aws:cloudfront::999999999999:distribution/EOTHERDISTRIB" },
        };
        document.Statement.push(other);
      }),
  },
  {
    name: "s3:* for the writer",
    policy: "writer-policy-least-privilege",
    providers: ["aws", "minio"],
    apply: (resources) =>
      editJson(ofType(resources, AWS.userPolicy, MINIO.iamPolicy), "policy", (document) => {
        const statement = document.Statement[0] as { Action: unknown };
        statement.Action = [...asList(statement.Action), "s3:*"];
      }),
  },
  {
    // The cache buster's role policy is told from a writer's by its exact shape: one more action makes it a writer's.
    name: "an S3 action in the cache buster's role policy",
    policy: "writer-policy-least-privilege",
    providers: ["aws"],
    apply: (resources) =>
      editJson(ofType(resources, AWS.rolePolicy), "policy", (document) => {
        const statement = document.Statement[0] as { Action: unknown };
        statement.Action = [...asList(statement.Action), "s3:GetObject"];
      }),
  },
  {
    name: "the cache buster's invalidation on every distribution",
    policy: "writer-policy-least-privilege",
    providers: ["aws"],
    apply: (resources) =>
      editJson(ofType(resources, AWS.rolePolicy), "policy", (document) => {
        (document.Statement[0] as { Resource: unknown }).Resource = "*";
      }),
  },
  {
    name: "a fullaccess Spaces grant",
    policy: "spaces-key-bucket-scoped",
    providers: ["digitalocean"],
    apply: (resources) =>
      ofType(resources, DIGITALOCEAN.spacesKey).map((key) => {
        key.inputs.grants = [{ bucket: "", permission: "fullaccess" }];
        return key.urn;
      }),
  },
  {
    name: "an account-wide R2 token",
    policy: "r2-token-bucket-item-scoped",
    providers: ["cloudflare"],
    apply: (resources) =>
      ofType(resources, CLOUDFLARE.accountToken, CLOUDFLARE.apiToken).map((token) => {
        for (const policy of token.inputs.policies as { resources: string }[]) {
          policy.resources = JSON.stringify({ [`com.cloudflare.api.account.${String(token.inputs.accountId)}`]: "*" });
        }
        return token.urn;
      }),
  },
  {
    name: "PUT in CORS",
    policy: "cors-read-only-methods",
    providers: ["aws", "cloudflare", "digitalocean"],
    apply: (resources) =>
      resources.flatMap((resource) => {
        const methodLists: string[][] =
          resource.type === AWS.responseHeadersPolicy
            ? [
                (resource.inputs.corsConfig as { accessControlAllowMethods: { items: string[] } })
                  .accessControlAllowMethods.items,
              ]
            : resource.type === CLOUDFLARE.r2BucketCors
              ? (resource.inputs.rules as { allowed: { methods: string[] } }[]).map((rule) => rule.allowed.methods)
              : resource.type === AWS.bucketCors || resource.type === DIGITALOCEAN.spacesBucketCors
                ? (resource.inputs.corsRules as { allowedMethods: string[] }[]).map((rule) => rule.allowedMethods)
                : [];
        for (const methods of methodLists) methods.push("PUT");
        return methodLists.length > 0 ? [resource.urn] : [];
      }),
  },
  {
    name: "TLS 1.0 on the media domain",
    policy: "media-domain-tls-1-2-minimum",
    providers: ["aws", "cloudflare"],
    apply: (resources) => [
      ...ofType(resources, AWS.distribution).map((distribution) => {
        (distribution.inputs.viewerCertificate as { minimumProtocolVersion: string }).minimumProtocolVersion = "TLSv1";
        return distribution.urn;
      }),
      ...ofType(resources, CLOUDFLARE.r2CustomDomain).map((domain) => {
        domain.inputs.minTls = "1.0";
        return domain.urn;
      }),
    ],
  },
  {
    name: "an R2 media host without the HTTPS redirect",
    policy: "r2-media-host-https-redirect",
    providers: ["cloudflare"],
    apply: (resources) => {
      let removed = false;
      for (const ruleset of ofType(resources, CLOUDFLARE.ruleset).filter(
        (ruleset) => ruleset.inputs.phase === "http_request_dynamic_redirect",
      )) {
        const rules = ruleset.inputs.rules as { ref: string }[];
        ruleset.inputs.rules = rules.filter((rule) => rule.ref !== "mastodon_media_https");
        removed ||= rules.length !== (ruleset.inputs.rules as unknown[]).length;
      }
      return removed ? ofType(resources, CLOUDFLARE.r2CustomDomain).map((domain) => domain.urn) : [];
    },
  },
  {
    name: "an R2 media host whose HTTPS redirect also matches HTTPS (a loop)",
    policy: "r2-media-host-https-redirect",
    providers: ["cloudflare"],
    apply: (resources) => {
      let changed = false;
      for (const ruleset of ofType(resources, CLOUDFLARE.ruleset).filter(
        (ruleset) => ruleset.inputs.phase === "http_request_dynamic_redirect",
      )) {
        for (const rule of ruleset.inputs.rules as { ref: string; expression: string }[]) {
          if (rule.ref !== "mastodon_media_https") continue;
          rule.expression = rule.expression.replace(" and not ssl", "");
          changed = true;
        }
      }
      return changed ? ofType(resources, CLOUDFLARE.r2CustomDomain).map((domain) => domain.urn) : [];
    },
  },
  {
    name: "a previous base on the R2 media host redirecting the current key prefix too (a redirect loop)",
    policy: "r2-media-host-https-redirect",
    providers: ["cloudflare"],
    apply: (resources) => {
      const domains = ofType(resources, CLOUDFLARE.r2CustomDomain);
      for (const ruleset of ofType(resources, CLOUDFLARE.ruleset).filter(
        (ruleset) => ruleset.inputs.phase === "http_request_dynamic_redirect",
      )) {
        for (const domain of domains) {
          const host = String(domain.inputs.domain);
          (ruleset.inputs.rules as unknown[]).push({
            ref: "mutant_previous_host",
            expression: `(http.host eq "${host}" and ssl and starts_with(http.request.uri.path, "/"))`,
            action: "redirect",
            actionParameters: {
              fromValue: {
                statusCode: 301,
                targetUrl: {
                  expression: `wildcard_replace(http.request.full_uri, "https://${host}/*", "https://${host}/social/\${1}")`,
                },
                preserveQueryString: false,
              },
            },
            enabled: true,
          });
        }
      }
      return domains.map((domain) => domain.urn);
    },
  },
  {
    name: "an R2 media host without the edge CORS rule",
    policy: "r2-media-host-cors-after-cache",
    providers: ["cloudflare"],
    apply: (resources) => {
      let removed = false;
      for (const ruleset of ofType(resources, CLOUDFLARE.ruleset).filter(
        (ruleset) => ruleset.inputs.phase === "http_response_headers_transform",
      )) {
        for (const rule of ruleset.inputs.rules as { actionParameters: { headers: Record<string, unknown> } }[]) {
          removed ||= "Access-Control-Allow-Origin" in rule.actionParameters.headers;
          delete rule.actionParameters.headers["Access-Control-Allow-Origin"];
        }
      }
      return removed ? ofType(resources, CLOUDFLARE.r2CustomDomain).map((domain) => domain.urn) : [];
    },
  },
  {
    name: "a CloudFront behaviour allowing OPTIONS without forwarding Origin",
    policy: "cloudfront-preflight-forwards-origin",
    providers: ["aws"],
    apply: (resources) =>
      ofType(resources, AWS.distribution).map((distribution) => {
        delete (distribution.inputs.defaultCacheBehavior as Record<string, unknown>).originRequestPolicyId;
        return distribution.urn;
      }),
  },
  {
    name: "an unprotected production bucket",
    policy: "bucket-protection-matches-environment",
    providers: ["aws", "cloudflare", "digitalocean", "minio"],
    // A test stack's bucket is unprotected on purpose: judge it as the production stack it would then be.
    stackConfig: { "mastodon-media:environment": "production" },
    apply: (resources) =>
      ofType(resources, ...BUCKET_TYPES).map((bucket) => {
        bucket.protect = false;
        bucket.retainOnDelete = false;
        return bucket.urn;
      }),
  },
  {
    name: "the r2.dev domain on in production",
    policy: "r2-dev-domain-disabled-in-production",
    providers: ["cloudflare"],
    stackConfig: { "mastodon-media:environment": "production" },
    apply: (resources) =>
      ofType(resources, CLOUDFLARE.r2ManagedDomain).map((domain) => {
        domain.inputs.enabled = true;
        return domain.urn;
      }),
  },
];

describe("the mutation table", () => {
  it("runs over the committed stacks of every provider", () => {
    expect(STACKS).toEqual(expect.arrayContaining(["aws", "cloudflare", "digitalocean", "dev"]));
  });
});

const PLANS = [
  ...STACKS.map((stack) => ({ label: stack, stack, file: () => readStackFile(stack, PROJECT_ROOT) })),
  { label: CLOUDFLARE_CACHE_BUSTER, stack: "cloudflare", file: cloudflareWithCacheBuster },
];

describe.each(PLANS)("the $label stack", async ({ label, stack, file }) => {
  const { config } = file();
  const plan: Plan = await planStack(stack, PROJECT_ROOT, file());

  it("plans with no mandatory violation", () => {
    expect(plan.violations.filter((violation) => violation.level === "mandatory")).toEqual([]);
  });

  const applicable = MUTATIONS.filter(
    (mutation) => mutation.providers.includes(plan.provider) && (mutation.only ?? [label]).includes(label),
  );

  it.each(applicable)("offers a target for: $name", (mutation) => {
    expect(mutation.apply(structuredClone(plan.resources))).not.toEqual([]);
  });

  it.each(MUTATIONS)("catches $name with $policy", (mutation) => {
    const resources = structuredClone(plan.resources);
    const broken = mutation.apply(resources);
    const caught = (violations: ReturnType<typeof evaluatePlan>) =>
      violations
        .filter((violation) => violation.policy === mutation.policy && violation.level === "mandatory")
        .map((violation) => violation.resource);
    expect(caught(evaluatePlan(plan.resources, config))).toEqual([]);
    expect([...new Set(caught(evaluatePlan(resources, { ...config, ...mutation.stackConfig })))]).toEqual(broken);
  });
});

import { describe, expect, it } from "vitest";
import { CACHE_BUSTER_SECRET_LENGTH } from "../../components/cache-buster";
import { PURGE_ORIGIN_ID } from "../../providers/aws/cache-buster-function";
import { jsonInput, planConfig, resourceOf, resourcesOf } from "../helpers/plan";

const config = {
  provider: "aws",
  webDomain: "social.example.com",
  mediaDomain: "files.example.com",
  bucket: "example-social-media",
  environment: "production",
  aws: { region: "eu-central-1", dns: { type: "external" } },
};
const DISTRIBUTION_ARN = "arn:aws:cloudfront::123456789012:distribution/E2QWRUHEXAMPLE";
const SECRET = "mockCacheBusterSecretEXAMPLE00000000000000000000";

describe("AwsMediaStorage: Mastodon's cache buster on CloudFront", async () => {
  const plan = await planConfig(config);

  it("generates the secret once, with a random provider resource, letters and digits only", () => {
    const password = resourceOf(plan, "random:index/randomPassword:RandomPassword");
    expect(password.name).toBe("media-cache-buster-secret");
    expect(password.inputs).toMatchObject({ length: CACHE_BUSTER_SECRET_LENGTH, special: false });
    expect(password.additionalSecretOutputs).toContain("result");
  });

  it("puts the secret into the viewer request function as a secret input, on cloudfront-js-2.0", () => {
    const fn = resourceOf(plan, "aws:cloudfront/function:Function");
    expect(fn.inputs).toMatchObject({ runtime: "cloudfront-js-2.0", publish: true });
    expect(fn.secretInputs).toContain("code");
    expect(String(fn.inputs.code)).toContain(SECRET);
  });

  it("adds the purge handler's function URL as a second origin, signed by an OAC of type lambda, and the function on the media behaviour", () => {
    const distribution = resourceOf(plan, "aws:cloudfront/distribution:Distribution");
    const origins = distribution.inputs.origins as Record<string, unknown>[];
    const oacs = resourcesOf(plan, "aws:cloudfront/originAccessControl:OriginAccessControl");
    const lambdaOac = oacs.find((oac) => oac.inputs.originAccessControlOriginType === "lambda");
    expect(lambdaOac?.inputs).toMatchObject({ signingBehavior: "always", signingProtocol: "sigv4" });
    expect(origins).toHaveLength(2);
    expect(origins[1]).toMatchObject({
      originId: PURGE_ORIGIN_ID,
      domainName: expect.stringMatching(/^[a-z0-9]+\.lambda-url\.eu-central-1\.on\.aws$/),
      originAccessControlId: `${lambdaOac?.name}-id`,
      customOriginConfig: { originProtocolPolicy: "https-only", originSslProtocols: ["TLSv1.2"] },
    });
    const behaviour = distribution.inputs.defaultCacheBehavior as Record<string, unknown>;
    expect(behaviour.functionAssociations).toEqual([
      {
        eventType: "viewer-request",
        functionArn: expect.stringContaining(":function/media-cache-buster-viewer-request"),
      },
    ]);
  });

  it("lets only this distribution call the handler (IAM-authenticated URL, both Lambda permissions) and the handler invalidate only it", () => {
    expect(resourceOf(plan, "aws:lambda/functionUrl:FunctionUrl").inputs.authorizationType).toBe("AWS_IAM");
    const permissions = resourcesOf(plan, "aws:lambda/permission:Permission").map((permission) => permission.inputs);
    expect(permissions).toEqual([
      expect.objectContaining({
        action: "lambda:InvokeFunctionUrl",
        principal: "cloudfront.amazonaws.com",
        sourceArn: DISTRIBUTION_ARN,
        functionUrlAuthType: "AWS_IAM",
      }),
      expect.objectContaining({
        action: "lambda:InvokeFunction",
        principal: "cloudfront.amazonaws.com",
        sourceArn: DISTRIBUTION_ARN,
        invokedViaFunctionUrl: true,
      }),
    ]);
    const policy = jsonInput(resourceOf(plan, "aws:iam/rolePolicy:RolePolicy"), "policy") as {
      Statement: { Action: unknown; Resource: unknown }[];
    };
    expect(policy.Statement[0]).toEqual({
      Effect: "Allow",
      Action: "cloudfront:CreateInvalidation",
      Resource: DISTRIBUTION_ARN,
    });
    expect(resourcesOf(plan, "aws:iam/rolePolicyAttachment:RolePolicyAttachment")).toEqual([]);
    expect(resourceOf(plan, "aws:lambda/function:Function").inputs).toMatchObject({
      runtime: "nodejs22.x",
      handler: "index.handler",
      timeout: 10,
    });
  });

  it("renders the four CACHE_BUSTER_* lines, masks the secret in the plan, and says what invalidations cost", () => {
    expect(plan.outputs.envProduction?.secret).toBe(true);
    expect(plan.outputs.envProduction?.value).toContain(`\nCACHE_BUSTER_SECRET=${SECRET}\n`);
    expect(plan.outputs.takedowns?.value).toContain("first 1,000 a month free, then USD 0.005 a path");
    // The limit past which busts are lost, and the remedy (providers/aws/purge-handler.mjs retries only ~8 s).
    expect(plan.outputs.takedowns?.value).toContain("15 wildcard and 3,000 exact invalidation paths");
    expect(plan.outputs.takedowns?.value).toContain("npm run purge");
    expect(plan.violations).toEqual([]);
  });
});

import { readFileSync } from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import type * as awsTypes from "@pulumi/aws/types";
import * as aws from "./sdk";
import type { CacheBusterInput } from "../../components/cache-buster";
import { PURGE_ORIGIN_ID, viewerRequestFunctionCode } from "./cache-buster-function";

/** The purge handler's source, shipped as the Lambda function's `index.mjs`. */
export const PURGE_HANDLER_SOURCE = path.join(__dirname, "purge-handler.mjs");

/** Lambda runtime with AWS SDK v3 built in (Lambda developer guide, "Building Lambda functions with Node.js"). */
export const PURGE_HANDLER_RUNTIME = "nodejs22.x";

/**
 * The purge handler's Lambda timeout: Mastodon's read timeout (app/lib/request.rb, 10 s). The handler's retries
 * end 1.5 s before it (providers/aws/purge-handler.mjs RETRY_MARGIN_MS).
 */
export const PURGE_HANDLER_TIMEOUT_SECONDS = 10;

/**
 * What the distribution needs from the cache buster: the purge handler's origin (its function URL, signed by an
 * origin access control of type `lambda`) and the viewer request function for the media behaviour.
 */
export interface CacheBusterEdge {
  origin: awsTypes.input.cloudfront.DistributionOrigin;
  functionAssociation: awsTypes.input.cloudfront.DistributionDefaultCacheBehaviorFunctionAssociation;
  handler: aws.lambda.Function;
  role: aws.iam.Role;
}

/**
 * The edge side of Mastodon's cache buster on CloudFront, before the distribution exists: the purge handler
 * (Lambda function with a function URL of AuthType AWS_IAM), the origin access control CloudFront signs it with
 * (CloudFront developer guide, "Restrict access to an AWS Lambda function URL origin") and the viewer request
 * function holding the secret (its code is a secret input). Children `${name}-cache-buster-*` of `parent`.
 */
export function createCacheBusterEdge(
  name: string,
  args: { region: string; cacheBuster: CacheBusterInput },
  parent: pulumi.Resource,
): CacheBusterEdge {
  const child = { parent };
  const role = new aws.iam.Role(
    `${name}-cache-buster-role`,
    {
      description: "Mastodon cache buster: invalidates one CloudFront distribution",
      assumeRolePolicy: JSON.stringify({
        Version: "2012-10-17",
        Statement: [{ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" }],
      }),
    },
    child,
  );
  const handler = new aws.lambda.Function(
    `${name}-cache-buster`,
    {
      region: args.region,
      description:
        "Mastodon cache buster: turns a bust request from the media distribution into a CloudFront invalidation",
      role: role.arn,
      runtime: PURGE_HANDLER_RUNTIME,
      handler: "index.handler",
      code: new pulumi.asset.AssetArchive({
        "index.mjs": new pulumi.asset.StringAsset(readFileSync(PURGE_HANDLER_SOURCE, "utf8")),
      }),
      // Mastodon's client reads for 10 s at most (app/lib/request.rb TIMEOUT); one CreateInvalidation takes well under
      // that. On throttling or TooManyInvalidationsInProgress the handler retries with doubling pauses until 1.5 s
      // before this timeout (purge-handler.mjs RETRY_MARGIN_MS), so about 8.5 s of retries, then answers 503.
      timeout: PURGE_HANDLER_TIMEOUT_SECONDS,
      memorySize: 128,
      architectures: ["arm64"],
    },
    child,
  );
  const url = new aws.lambda.FunctionUrl(
    `${name}-cache-buster-url`,
    { region: args.region, functionName: handler.name, authorizationType: "AWS_IAM" },
    child,
  );
  const originAccessControl = new aws.cloudfront.OriginAccessControl(
    `${name}-cache-buster-oac`,
    {
      description: "Signs the media distribution's requests to the Mastodon cache buster",
      originAccessControlOriginType: "lambda",
      signingBehavior: "always",
      signingProtocol: "sigv4",
    },
    child,
  );
  const viewerRequest = new aws.cloudfront.Function(
    `${name}-cache-buster-viewer-request`,
    {
      runtime: "cloudfront-js-2.0",
      comment: "Mastodon cache buster: sends bust requests to the purge handler, nothing else",
      publish: true,
      code: pulumi.secret(
        pulumi
          .output(args.cacheBuster.secret)
          .apply((secret) => viewerRequestFunctionCode({ header: args.cacheBuster.secretHeader, secret })),
      ),
    },
    child,
  );
  return {
    origin: {
      originId: PURGE_ORIGIN_ID,
      // https://ID.lambda-url.REGION.on.aws/ -> the host CloudFront connects to.
      domainName: url.functionUrl.apply((functionUrl) => new URL(functionUrl).host),
      originAccessControlId: originAccessControl.id,
      customOriginConfig: {
        httpPort: 80,
        httpsPort: 443,
        originProtocolPolicy: "https-only",
        originSslProtocols: ["TLSv1.2"],
      },
    },
    functionAssociation: { eventType: "viewer-request", functionArn: viewerRequest.arn },
    handler,
    role,
  };
}

/**
 * What needs the distribution: the handler may invalidate this distribution only, and only this distribution
 * may call the handler's URL. Since October 2025 a function URL needs both `lambda:InvokeFunctionUrl` and
 * `lambda:InvokeFunction` (with `lambda:InvokedViaFunctionUrl`) granted (Lambda developer guide, "Control access
 * to Lambda function URLs").
 */
export function grantCacheBuster(
  name: string,
  edge: CacheBusterEdge,
  distribution: aws.cloudfront.Distribution,
  region: string,
  parent: pulumi.Resource,
): pulumi.Resource[] {
  const child = { parent };
  // Inline, not the AWS managed AWSLambdaBasicExecutionRole: the handler's own log group only
  // (policy/analysis/cache-buster-policy.ts tells this document from a writer's).
  const invalidate = new aws.iam.RolePolicy(
    `${name}-cache-buster-invalidate`,
    {
      role: edge.role.name,
      policy: pulumi.all([distribution.arn, edge.handler.name]).apply(([arn, functionName]) =>
        JSON.stringify({
          Version: "2012-10-17",
          Statement: [
            { Effect: "Allow", Action: "cloudfront:CreateInvalidation", Resource: arn },
            {
              Effect: "Allow",
              Action: ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"],
              Resource: [
                `arn:aws:logs:${region}:*:log-group:/aws/lambda/${functionName}`,
                `arn:aws:logs:${region}:*:log-group:/aws/lambda/${functionName}:*`,
              ],
            },
          ],
        }),
      ),
    },
    child,
  );
  const invokeUrl = new aws.lambda.Permission(
    `${name}-cache-buster-invoke-url`,
    {
      region,
      action: "lambda:InvokeFunctionUrl",
      function: edge.handler.name,
      principal: "cloudfront.amazonaws.com",
      sourceArn: distribution.arn,
      functionUrlAuthType: "AWS_IAM",
    },
    child,
  );
  const invoke = new aws.lambda.Permission(
    `${name}-cache-buster-invoke`,
    {
      region,
      action: "lambda:InvokeFunction",
      function: edge.handler.name,
      principal: "cloudfront.amazonaws.com",
      sourceArn: distribution.arn,
      invokedViaFunctionUrl: true,
    },
    child,
  );
  return [invalidate, invokeUrl, invoke];
}

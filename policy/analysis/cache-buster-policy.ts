import type { PolicyDocument, Statement } from "./policy-document";

/**
 * The one identity policy of a stack that is not the writer's: the AWS cache buster's purge handler
 * (providers/aws/cache-buster.ts), which may invalidate CloudFront distributions and write its own Lambda log
 * group, and nothing else. Recognised only when EVERY statement is one of these two exact shapes, so a document
 * that grants anything more (an S3 action, a wildcard, a Not* element, a condition) is still checked as a
 * writer's policy.
 */
const DISTRIBUTION_ARN = /^arn:aws:cloudfront::\d{12}:distribution\/[A-Z0-9]+$/;
const LAMBDA_LOG_GROUP_ARN = /^arn:aws:logs:[a-z0-9-]+:(\d{12}|\*):log-group:\/aws\/lambda\/[A-Za-z0-9_-]+(:\*)?$/;
const LOG_ACTIONS = ["logs:createloggroup", "logs:createlogstream", "logs:putlogevents"];

function plainAllow(statement: Statement): boolean {
  return (
    statement.effect === "Allow" &&
    statement.principal.kind === "none" &&
    !statement.notPrincipal &&
    !statement.notAction &&
    !statement.notResource &&
    statement.conditions.length === 0 &&
    statement.actions.length > 0 &&
    statement.resources.length > 0
  );
}

function isInvalidation(statement: Statement): boolean {
  return (
    statement.actions.every((action) => action.toLowerCase() === "cloudfront:createinvalidation") &&
    statement.resources.every((resource) => DISTRIBUTION_ARN.test(resource))
  );
}

function isOwnLogs(statement: Statement): boolean {
  return (
    statement.actions.every((action) => LOG_ACTIONS.includes(action.toLowerCase())) &&
    statement.resources.every((resource) => LAMBDA_LOG_GROUP_ARN.test(resource))
  );
}

/** True when the document is the cache buster's: CreateInvalidation on distributions and its own log group only. */
export function isCacheBusterPolicy(document: PolicyDocument): boolean {
  return (
    document.statements.length > 0 &&
    document.statements.every(
      (statement) => plainAllow(statement) && (isInvalidation(statement) || isOwnLogs(statement)),
    )
  );
}

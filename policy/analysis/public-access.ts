import { PUBLIC_READ_ACTIONS } from "../../components/policy-documents";
import { audienceOf, reachesPublic, type Audience } from "./audience";
import type { PolicyDocument, Statement } from "./policy-document";
import { isOneOfActions } from "./patterns";
import { isPublicKeyPattern, parseS3Arn } from "./s3-arn";

/** An Allow statement of a bucket policy that reaches the public, directly or through a CDN. */
export interface PublicGrant {
  statement: Statement;
  audience: Extract<Audience, "anyone" | "cdn">;
  /** How findings name the statement: its Sid, or its position. */
  label: string;
}

export function publicGrants(document: PolicyDocument): PublicGrant[] {
  return document.statements.flatMap((statement, index) => {
    if (statement.effect !== "Allow" || !reachesPublic(statement)) return [];
    const audience = audienceOf(statement) as PublicGrant["audience"];
    return [{ statement, audience, label: statement.sid ? `statement ${statement.sid}` : `statement ${index + 1}` }];
  });
}

/**
 * What a public grant allows beyond reading objects (PUBLIC_READ_ACTIONS): listing, writing, deleting,
 * changing ACLs or policies. Wildcards count as beyond, since `s3:Get*` also reads ACLs and the bucket policy.
 */
export function actionsBeyondRead(grant: PublicGrant): string[] {
  const { statement } = grant;
  if (statement.notAction) return statement.actions.map((action) => `NotAction ${action}`);
  return statement.actions.filter((action) => !isOneOfActions(action, PUBLIC_READ_ACTIONS));
}

/** The resources of a public grant that are not objects under one of Mastodon's public prefixes. */
export function resourcesBeyondPublicPrefixes(grant: PublicGrant): string[] {
  const { statement } = grant;
  if (statement.notResource) return statement.resources.map((resource) => `NotResource ${resource}`);
  return statement.resources.filter((resource) => {
    const target = parseS3Arn(resource);
    return target?.key === undefined || !isPublicKeyPattern(target.key);
  });
}

export function describeAudience(audience: PublicGrant["audience"]): string {
  return audience === "anyone" ? "anonymous principals" : "the CDN that serves the public";
}

import type { Rule } from "./rule";
import { bucketAbortsIncompleteMultipartUploads } from "./rules/bucket-aborts-incomplete-multipart-uploads";
import { bucketAclNotPublic } from "./rules/bucket-acl-not-public";
import { bucketNameAndLocationAccepted } from "./rules/bucket-name-and-location-accepted";
import { bucketLifecycleKeepsMedia } from "./rules/bucket-lifecycle-keeps-media";
import { bucketPolicyPrincipalsLimited } from "./rules/bucket-policy-principals-limited";
import { bucketPolicyPublicAccessReadOnly } from "./rules/bucket-policy-public-access-read-only";
import { bucketPolicyPublicReadLimitedToPublicPrefixes } from "./rules/bucket-policy-public-read-limited-to-public-prefixes";
import { cdnBustsDeletedMedia } from "./rules/cdn-busts-deleted-media";
import { bucketProtectionMatchesEnvironment } from "./rules/bucket-protection-matches-environment";
import { cloudfrontPriceClassCoversBucketRegion } from "./rules/cloudfront-price-class-covers-bucket-region";
import { cloudfrontPriceClassLimited } from "./rules/cloudfront-price-class-limited";
import { cloudfrontPreflightForwardsOrigin } from "./rules/cloudfront-preflight-forwards-origin";
import { corsAllowsAnyOrigin } from "./rules/cors-allows-any-origin";
import { corsReadOnlyMethods } from "./rules/cors-read-only-methods";
import { mediaDomainHttpsOnly } from "./rules/media-domain-https-only";
import { mediaDomainTls12Minimum } from "./rules/media-domain-tls-1-2-minimum";
import { mediaUrlsAnchored } from "./rules/media-urls-anchored";
import { r2DevDomainDisabledInProduction } from "./rules/r2-dev-domain-disabled-in-production";
import { r2MediaHostCorsAfterCache } from "./rules/r2-media-host-cors-after-cache";
import { r2MediaHostHttpsRedirect } from "./rules/r2-media-host-https-redirect";
import { r2PrivatePrefixesBlocked } from "./rules/r2-private-prefixes-blocked";
import { r2TokenBucketItemScoped } from "./rules/r2-token-bucket-item-scoped";
import { spacesKeyBucketScoped } from "./rules/spaces-key-bucket-scoped";
import { spacesScopedKeyWithoutBucketPolicy } from "./rules/spaces-scoped-key-without-bucket-policy";
import { writerPolicyAttachmentsScoped } from "./rules/writer-policy-attachments-scoped";
import { writerPolicyLeastPrivilege } from "./rules/writer-policy-least-privilege";
import { writerScopedToStackBucket } from "./rules/writer-scoped-to-stack-bucket";

export type { Rule } from "./rule";

/** Every rule of the pack, mandatory first. The CrossGuard pack and the offline plan both run this list. */
export const rules: readonly Rule[] = [
  // Who may read the bucket
  bucketPolicyPublicAccessReadOnly,
  bucketPolicyPublicReadLimitedToPublicPrefixes,
  bucketPolicyPrincipalsLimited,
  bucketAclNotPublic,
  r2PrivatePrefixesBlocked,
  r2DevDomainDisabledInProduction,
  // What the writer may do
  writerPolicyLeastPrivilege,
  writerPolicyAttachmentsScoped,
  spacesKeyBucketScoped,
  r2TokenBucketItemScoped,
  writerScopedToStackBucket,
  // How media is served
  corsReadOnlyMethods,
  mediaDomainHttpsOnly,
  mediaDomainTls12Minimum,
  r2MediaHostHttpsRedirect,
  r2MediaHostCorsAfterCache,
  cloudfrontPreflightForwardsOrigin,
  // Media is never lost by accident
  bucketProtectionMatchesEnvironment,
  bucketLifecycleKeepsMedia,
  mediaUrlsAnchored,
  // What the provider refuses (a real `pulumi up` would fail)
  spacesScopedKeyWithoutBucketPolicy,
  bucketNameAndLocationAccepted,
  // Advisory
  corsAllowsAnyOrigin,
  bucketAbortsIncompleteMultipartUploads,
  cloudfrontPriceClassLimited,
  cloudfrontPriceClassCoversBucketRegion,
  cdnBustsDeletedMedia,
];

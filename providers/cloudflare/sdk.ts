/**
 * The @pulumi/cloudflare classes and functions this project uses, imported module by module. The package's
 * index declares all of its 779 resource and function modules: the typecheck then parses every one of them
 * (about 5 MB of declarations), where these load only their own and the shared `types`. At run time the index
 * loads its modules lazily, so this changes what tsc reads, not what `pulumi up` runs.
 * Use it as the package itself: `import * as cloudflare from "./sdk"`, then `cloudflare.R2Bucket`.
 */
export { AccountToken, type AccountTokenArgs } from "@pulumi/cloudflare/accountToken";
export { ApiToken, type ApiTokenArgs } from "@pulumi/cloudflare/apiToken";
export { DnsRecord, type DnsRecordArgs } from "@pulumi/cloudflare/dnsRecord";
export { getAccountApiTokenPermissionGroupsListOutput } from "@pulumi/cloudflare/getAccountApiTokenPermissionGroupsList";
export { getRulesets } from "@pulumi/cloudflare/getRulesets";
export { getZone } from "@pulumi/cloudflare/getZone";
export { R2Bucket, type R2BucketArgs } from "@pulumi/cloudflare/r2bucket";
export { R2BucketCors, type R2BucketCorsArgs } from "@pulumi/cloudflare/r2bucketCors";
export { R2BucketLifecycle, type R2BucketLifecycleArgs } from "@pulumi/cloudflare/r2bucketLifecycle";
export { R2CustomDomain, type R2CustomDomainArgs } from "@pulumi/cloudflare/r2customDomain";
export { R2ManagedDomain, type R2ManagedDomainArgs } from "@pulumi/cloudflare/r2managedDomain";
export { Ruleset, type RulesetArgs } from "@pulumi/cloudflare/ruleset";
export { WorkersRoute, type WorkersRouteArgs } from "@pulumi/cloudflare/workersRoute";
export { WorkersScript, type WorkersScriptArgs } from "@pulumi/cloudflare/workersScript";
export * as types from "@pulumi/cloudflare/types";

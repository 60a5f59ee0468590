/**
 * The @pulumi/digitalocean classes this project uses, imported module by module. The package's index declares
 * every resource and function module (about 1.4 MB of declarations that tsc would parse); these load only their
 * own and the shared `types`. At run time the index loads its modules lazily, so this changes what tsc reads,
 * not what `pulumi up` runs.
 * Use it as the package itself: `import * as digitalocean from "./sdk"`, then `digitalocean.SpacesBucket`.
 */
export { Cdn, type CdnArgs } from "@pulumi/digitalocean/cdn";
export { Certificate, type CertificateArgs } from "@pulumi/digitalocean/certificate";
export { SpacesBucket, type SpacesBucketArgs } from "@pulumi/digitalocean/spacesBucket";
export {
  SpacesBucketCorsConfiguration,
  type SpacesBucketCorsConfigurationArgs,
} from "@pulumi/digitalocean/spacesBucketCorsConfiguration";
export { SpacesBucketPolicy, type SpacesBucketPolicyArgs } from "@pulumi/digitalocean/spacesBucketPolicy";
export { SpacesKey, type SpacesKeyArgs } from "@pulumi/digitalocean/spacesKey";
export { CertificateType } from "@pulumi/digitalocean/types/enums";
export * as types from "@pulumi/digitalocean/types";

/**
 * Media is never lost by accident (docs/configuration.md, "Keeping media safe"). A production bucket is protected (`pulumi destroy`
 * refuses) and retained on delete (even after `protect` is lifted, Pulumi only forgets it); only a test
 * bucket may be destroyed together with its objects.
 */
export interface BucketProtection {
  protect: boolean;
  retainOnDelete: boolean;
  /** Provider argument: delete the objects with the bucket. */
  forceDestroy: boolean;
}

export function bucketProtection(environment: "production" | "test"): BucketProtection {
  return environment === "production"
    ? { protect: true, retainOnDelete: true, forceDestroy: false }
    : { protect: false, retainOnDelete: false, forceDestroy: true };
}

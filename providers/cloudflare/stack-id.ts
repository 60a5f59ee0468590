import * as pulumi from "@pulumi/pulumi";

/**
 * The stack being deployed, as `ORGANIZATION/PROJECT/STACK`: unique among the stacks of a backend, so two
 * stacks (a second instance, a `pr-N` review stack) never share it. Marks the zone rulesets this stack owns.
 */
export function currentStackId(): string {
  return `${pulumi.getOrganization()}/${pulumi.getProject()}/${pulumi.getStack()}`;
}

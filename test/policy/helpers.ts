import type {
  PolicyResource,
  ResourceValidationArgs,
  ResourceValidationPolicy,
  StackValidationArgs,
  StackValidationPolicy,
} from "@pulumi/policy";
import { crossGuardPolicies } from "../../policy/crossguard";
import type { Rule } from "../../policy/rule";
import { unknownCheckingProxy } from "../../policy/sdk-proxy";

/**
 * Runs rules the way the CrossGuard analyzer does (@pulumi/policy server.js makeAnalyzeRpcFun /
 * makeAnalyzeStackRpcFun): the rule goes through crossGuardPolicies, props are wrapped in the SDK's
 * unknownCheckingProxy, options carry protect but no retainOnDelete, getConfig returns the pack config.
 */

export interface ResourceUnderTest {
  type: string;
  props: Record<string, unknown>;
  name?: string;
  protect?: boolean;
}

const STACK = "test";
const urnOf = (type: string, name: string) =>
  `urn:pulumi:${STACK}::mastodon-media::mastodon-media:x:MediaStorage$${type}::${name}`;

function options(protect: boolean) {
  return {
    protect,
    ignoreChanges: [],
    aliases: [],
    additionalSecretOutputs: [],
    customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
  };
}

function typeChecks(type: string, props: Record<string, unknown>) {
  const isType = (resourceClass: { __pulumiType?: string }) => resourceClass.__pulumiType === type;
  return {
    isType: isType as ResourceValidationArgs["isType"],
    asType: ((resourceClass: { __pulumiType?: string }) =>
      isType(resourceClass) ? props : undefined) as ResourceValidationArgs["asType"],
  };
}

class NotApplicable extends Error {}

/** The violations one resource policy reports for one resource. */
export async function validateResource(
  rule: Rule,
  resource: ResourceUnderTest,
  config: Record<string, unknown> = {},
): Promise<string[]> {
  const policy = policyOf(rule) as ResourceValidationPolicy;
  const name = resource.name ?? "media-resource";
  const props = unknownCheckingProxy(resource.props);
  const args: ResourceValidationArgs = {
    type: resource.type,
    props,
    urn: urnOf(resource.type, name),
    name,
    opts: options(resource.protect ?? false),
    stackTags: new Map(),
    ...typeChecks(resource.type, props),
    getConfig: <T extends object>() => config as T,
    notApplicable: (reason?: string) => {
      throw new NotApplicable(reason);
    },
  };
  const violations: string[] = [];
  const validators = [policy.validateResource ?? []].flat();
  for (const validate of validators) await validate(args, (message) => violations.push(message));
  return violations;
}

/** The findings one stack policy reports over a set of resources, as `{name, message}`. */
export async function validateStack(
  rule: Rule,
  resources: readonly ResourceUnderTest[],
  config: Record<string, unknown> = {},
): Promise<{ name: string | undefined; message: string }[]> {
  const policy = policyOf(rule) as StackValidationPolicy;
  const policyResources: PolicyResource[] = resources.map((resource, index) => {
    const name = resource.name ?? `media-resource-${index}`;
    const props = unknownCheckingProxy(resource.props);
    return {
      type: resource.type,
      props,
      urn: urnOf(resource.type, name),
      name,
      opts: options(resource.protect ?? false),
      dependencies: [],
      propertyDependencies: {},
      ...typeChecks(resource.type, props),
    } as PolicyResource;
  });
  const args: StackValidationArgs = {
    resources: policyResources,
    stackTags: new Map(),
    getConfig: <T extends object>() => config as T,
    notApplicable: (reason?: string) => {
      throw new NotApplicable(reason);
    },
  };
  const findings: { name: string | undefined; message: string }[] = [];
  await policy.validateStack(args, (message, urn) => findings.push({ name: urn?.split("::").pop(), message }));
  return findings;
}

function policyOf(rule: Rule) {
  const [policy] = crossGuardPolicies([rule]);
  if (!policy) throw new Error(`no policy for ${rule.name}`);
  return policy;
}

import * as policySdk from "@pulumi/policy";

/**
 * The policy SDK's preview wrapper, typed. @pulumi/policy 1.21's proxy.d.ts is empty (its declarations are
 * marked @internal), so `unknownCheckingProxy` and `UnknownValueError` arrive as `any` from its index.
 * The offline plan wraps resource properties in the same proxy CrossGuard uses, so that a rule reading a value
 * that is not known yet behaves the same in both runners.
 */
export const unknownCheckingProxy: <T extends object>(value: T) => T = policySdk.unknownCheckingProxy;

export const UnknownValueError: abstract new (...args: never[]) => Error = policySdk.UnknownValueError;

/**
 * The engine's marker for a string not known yet (@pulumi/policy proxy.js `unknownStringValue`, the same
 * value as @pulumi/pulumi's `unknownValue`); the offline plan prints it as `[unknown]`.
 */
export const UNKNOWN_STRING_VALUE = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

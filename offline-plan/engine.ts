import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { offlineResolver, setProgramDnsResolver } from "../components/dns-status";
import { createMocks } from "./mocks";
import { UNKNOWN_MASK } from "../components/masks";
import type { PlannedResource, PlanOutput } from "../components/plan-model";

export const PROJECT = "mastodon-media";
const PROJECT_ROOT = path.resolve(__dirname, "..");

// The SDK's wire markers (runtime/rpc.js): a special object carries this key with one of these signatures.
const SIG_KEY = "4dabf18193072939515e22adb298388d";
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";
const RESOURCE_SIG = "5cf8f73096256a8f31e491e813e4eb8e";
const OUTPUT_SIG = "d0e6a833031e9bbcd3f4e8bde6ca49a4";
const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

export interface ProgramRun {
  resources: PlannedResource[];
  outputs: Record<string, PlanOutput>;
  /** Values the mock engine invented (ids, accounts, keys...): never to be shown as real. */
  mockValues: string[];
}

type Program = () => Promise<Record<string, unknown>>;

/**
 * Runs the real program (index.ts) under the SDK's mock engine with the given stack config, and returns
 * every registration request (with the resource options the mock callbacks cannot see) and the stack outputs.
 */
export async function runProgram(
  stack: string,
  config: Record<string, string>,
  secretKeys: string[],
): Promise<ProgramRun> {
  const resources: PlannedResource[] = [];
  const secretOutputsByResource = new Map<string, readonly string[]>();
  const invented = new Set<string>();
  await pulumi.runtime.setMocks(
    createMocks((type, name) => secretOutputsByResource.get(`${type}::${name}`) ?? [], invented),
    PROJECT,
    stack,
    false,
    // What the CLI reports on a self-managed (DIY) backend; the program marks zone rulesets with it.
    "organization",
  );
  pulumi.runtime.setAllConfig(config, secretKeys);
  // The program looks DNS up for AWS stacks with external DNS: an offline plan asks nothing and claims nothing.
  setProgramDnsResolver(offlineResolver);

  // setMockOptions would reset the monitor's features (secrets would come back plain): wrap the monitor instead.
  const monitor = pulumi.runtime.getMonitor() as unknown as MonitorLike;
  const register = monitor.registerResource.bind(monitor);
  monitor.registerResource = (request, callback) => {
    const resource = toPlannedResource(request, stack);
    secretOutputsByResource.set(`${resource.type}::${resource.name}`, resource.additionalSecretOutputs);
    resources.push(resource);
    return register(request, callback);
  };

  const program = await loadProgram();
  const exported = await program();
  const outputs: Record<string, PlanOutput> = {};
  for (const [key, value] of Object.entries(exported)) outputs[key] = await resolveOutput(value);
  await waitForPendingRegistrations();
  return { resources, outputs, mockValues: [...invented] };
}

async function loadProgram(): Promise<Program> {
  const loaded = (await import(path.join(PROJECT_ROOT, "index"))) as Program | { default: Program };
  return typeof loaded === "function" ? loaded : loaded.default;
}

async function resolveOutput(value: unknown): Promise<PlanOutput> {
  if (!pulumi.Output.isInstance(value)) return { value, secret: false };
  const output = value as pulumi.Output<unknown>;
  const secret = await pulumi.isSecret(output);
  const resolved = await new Promise<unknown>((resolve) => output.apply(resolve));
  return { value: resolved, secret };
}

/** The SDK's internal queue of outstanding RPCs (runtime/settings.js `waitForRPCs`, not in its typings). */
async function waitForPendingRegistrations(): Promise<void> {
  const settings = (await import("@pulumi/pulumi/runtime/settings")) as unknown as {
    waitForRPCs?: () => Promise<void>;
  };
  await settings.waitForRPCs?.();
}

interface MonitorLike {
  registerResource(request: RegisterRequest, callback: (...args: unknown[]) => void): unknown;
}

/** The getters of proto RegisterResourceRequest that the plan reads. */
interface RegisterRequest {
  getType(): string;
  getName(): string;
  getParent(): string;
  getCustom(): boolean;
  getProtect(): boolean;
  getRetainondelete(): boolean;
  getDeletebeforereplace(): boolean;
  getDependenciesList(): string[];
  getAdditionalsecretoutputsList(): string[];
  getObject(): { toJavaScript(): Record<string, unknown> } | undefined;
}

function toPlannedResource(request: RegisterRequest, stack: string): PlannedResource {
  const parent = request.getParent() || null;
  const type = request.getType();
  const secretInputs: string[] = [];
  const inputs = unwrap(request.getObject()?.toJavaScript() ?? {}, "", secretInputs) as Record<string, unknown>;
  return {
    type,
    name: request.getName(),
    urn: urnOf(stack, parent, type, request.getName()),
    parent,
    custom: request.getCustom(),
    inputs,
    secretInputs,
    protect: request.getProtect(),
    retainOnDelete: request.getRetainondelete(),
    dependsOn: request.getDependenciesList(),
    additionalSecretOutputs: request.getAdditionalsecretoutputsList(),
    ...(request.getDeletebeforereplace() ? { deleteBeforeReplace: true as const } : {}),
  };
}

/** Same scheme as the engine (and the SDK's MockMonitor): the parent's type is qualified into the child's. */
function urnOf(stack: string, parent: string | null, type: string, name: string): string {
  const qualified = parent ? `${parent.split("::")[2]?.split("$").pop()}$${type}` : type;
  return `urn:pulumi:${stack}::${PROJECT}::${qualified}::${name}`;
}

/** Replaces the wire markers by plain values, noting where secrets were. */
function unwrap(value: unknown, at: string, secretPaths: string[]): unknown {
  if (value === UNKNOWN) return UNKNOWN_MASK;
  if (Array.isArray(value)) return value.map((item, index) => unwrap(item, join(at, String(index)), secretPaths));
  if (value === null || typeof value !== "object") return value;
  const object = value as Record<string, unknown>;
  switch (object[SIG_KEY]) {
    case SECRET_SIG:
      secretPaths.push(at || ".");
      return unwrap(object.value, at, []);
    case RESOURCE_SIG:
      return object.urn;
    case OUTPUT_SIG:
      if (object.secret) secretPaths.push(at || ".");
      return "value" in object ? unwrap(object.value, at, []) : UNKNOWN_MASK;
  }
  return Object.fromEntries(
    Object.entries(object).map(([key, item]) => [key, unwrap(item, join(at, key), secretPaths)]),
  );
}

function join(at: string, key: string): string {
  return at ? `${at}.${key}` : key;
}

import { existsSync, readFileSync, statSync } from "node:fs";
import * as path from "node:path";
import { UserError } from "../../components/errors";
import { parseEnvFile } from "../../mastodon-env/env-file";
import { localMediaBase, storageBackend, webDomain } from "../../mastodon-env/model";
import { readStackFile } from "../../offline-plan/stack-file";
import { readTarget, type VerifyTarget } from "../../mastodon-env/target";
import type { MigrateArgs } from "./args";
import { localRootProblem } from "./wrong-source";

/** Where the media is now. */
export type Source =
  { kind: "local"; root: string; exists: boolean } | { kind: "s3"; target: VerifyTarget; file: string };

/** Where the media goes, and what is only known after `pulumi up`. */
export interface Destination {
  target: VerifyTarget;
  /** `the stack aws (planned offline)` or `new.env`. */
  description: string;
  /** The env file to run with (`--to-env`); absent when planned from a stack. */
  envFile?: string;
  stack?: string;
  provider?: string;
  /** The web domain (the stack's webDomain, or LOCAL_DOMAIN / WEB_DOMAIN of the env file), when known. */
  webDomain?: string;
  /** Where media stored on disk was served (mastodon-env's `localMediaBase`: CDN_HOST or WEB_DOMAIN, PAPERCLIP_ROOT_URL), ends with `/`. */
  localBase?: string;
  /**
   * Values of the offline plan that the mock engine made up (the writer's key, a provider-chosen host), each
   * with the placeholder to print instead: a mock value is never shown as real.
   */
  placeholders: Map<string, string>;
}

/** Placeholders for the writer's key, which only exists after `pulumi up`. */
const KEY_ID_PLACEHOLDER = "<writer key id, after pulumi up>";
const SECRET_PLACEHOLDER = "<writer secret, after pulumi up>";

export function resolveSource(args: MigrateArgs): Source {
  if (args.from.kind === "local") {
    const root = path.resolve(args.from.path);
    const exists = existsSync(root) && statSync(root).isDirectory();
    if (args.run && !exists)
      throw new UserError(`--from local:${args.from.path}: no such directory (Mastodon's public/system)`);
    if (exists) {
      const problem = localRootProblem(root);
      if (problem) throw new UserError(`--from local:${args.from.path}: ${problem}`);
    }
    return { kind: "local", root, exists };
  }
  const values = readEnv(args.from.file, "--from-env");
  const backend = storageBackend(values);
  if (backend === "swift" || backend === "azure") {
    throw new UserError(
      `--from-env ${args.from.file}: ${backend === "swift" ? "SWIFT_ENABLED=true: this instance stores media in OpenStack Swift" : "AZURE_ENABLED=true: this instance stores media in Azure Blob Storage"}, ` +
        "not on disk nor in S3: copy the container to a local folder first (rclone copy with a swift or azureblob remote), then use --from local:PATH",
    );
  }
  if (backend !== "s3") {
    throw new UserError(
      `--from-env ${args.from.file}: S3_ENABLED is not true, so this instance keeps its media on disk: ` +
        "use --from local:PATH with its public/system directory (e.g. /home/mastodon/live/public/system)",
    );
  }
  return { kind: "s3", target: target(values, `--from-env ${args.from.file}`), file: args.from.file };
}

export async function resolveDestination(args: MigrateArgs): Promise<Destination> {
  if (args.to.kind === "env") {
    const values = readEnv(args.to.file, "--to-env");
    return {
      target: target(values, `--to-env ${args.to.file}`),
      description: args.to.file,
      envFile: args.to.file,
      webDomain: webDomain(values),
      localBase: localMediaBase(values)?.href,
      placeholders: new Map(),
    };
  }
  if (args.run) {
    throw new UserError(
      `--run copies into deployed storage: deploy the stack, write its env with \`pulumi stack output envProduction --show-secrets -s ${args.to.stack} > new-storage.env\`, then use --to-env new-storage.env`,
    );
  }
  return planDestination(args.to.stack);
}

/** The destination as the offline plan of a committed stack renders it, mock-made values replaced. */
async function planDestination(stack: string): Promise<Destination> {
  // The plan engine loads the Pulumi SDK: only for --to STACK, so that a copy pass starts fast.
  const { planStack, PROJECT_ROOT: root } = await import("../../offline-plan/run");
  const { config } = readStackFile(stack, root);
  const plan = await planStack(stack, root);
  const env = plan.outputs.envProduction?.value;
  if (typeof env !== "string") throw new UserError(`--to ${stack}: the stack's plan renders no envProduction`);
  const values = parseEnvFile(env).values;
  const placeholders = new Map<string, string>();
  placeholders.set(values.get("AWS_ACCESS_KEY_ID") ?? KEY_ID_PLACEHOLDER, KEY_ID_PLACEHOLDER);
  values.set("AWS_ACCESS_KEY_ID", KEY_ID_PLACEHOLDER);
  values.set("AWS_SECRET_ACCESS_KEY", SECRET_PLACEHOLDER);
  // Only a media domain the stack file names is known before deploying; any other media host comes from the
  // provider (the CDN's own host, the r2.dev host), which the mock engine can only imitate.
  const mediaDomain = config["mastodon-media:mediaDomain"];
  const alias = values.get("S3_ALIAS_HOST");
  if (alias && alias !== mediaDomain)
    placeholders.set(alias, "<media host: `pulumi stack output mediaBaseUrl` after pulumi up>");
  return {
    // The placeholders above are this plan's own: it is printed, never run (--run needs --to-env).
    target: target(values, `--to ${stack}`, { placeholdersAllowed: true }),
    description: `the stack ${stack} (planned offline)`,
    stack,
    provider: plan.provider,
    webDomain: config["mastodon-media:webDomain"],
    placeholders,
  };
}

function readEnv(file: string, flag: string): Map<string, string> {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch {
    throw new UserError(`${flag} ${file}: cannot read the file`);
  }
  const parsed = parseEnvFile(text);
  if (parsed.problems.length > 0) throw new UserError(`${flag} ${file}:\n  - ${parsed.problems.join("\n  - ")}`);
  return parsed.values;
}

function target(
  values: ReadonlyMap<string, string>,
  what: string,
  options: { placeholdersAllowed?: boolean } = {},
): VerifyTarget {
  const result = readTarget(values, new Set(), options);
  if (!result.ok)
    throw new UserError(`${what}: the storage variables have problems:\n  - ${result.problems.join("\n  - ")}`);
  return result.target;
}

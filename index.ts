import * as pulumi from "@pulumi/pulumi";
import * as runtimeConfig from "@pulumi/pulumi/runtime/config";
import { safeParseStackConfig } from "./components/config";
import { readProjectConfig } from "./components/config/namespaces";
import { ConfigError } from "./components/errors";
import { mastodonHostOutputs } from "./components/mastodon-host";
import { createMediaStorage, providerSettingsIssues } from "./providers";

/** The SDK's own test for a `secure:` config value (runtime/config.js; marked internal, so not in its typings). */
const isConfigSecret = (runtimeConfig as unknown as { isConfigSecret: (key: string) => boolean }).isConfigSecret;

/**
 * The edge: read the stack config, parse it (every bad key is reported at once, before anything is
 * registered: keys in the wrong place, each key's own problem, the rules between keys and the provider
 * plugin's settings), build the chosen provider's media storage, export its outputs.
 */
export = async (): Promise<Record<string, pulumi.Output<unknown>>> => {
  const all = pulumi.runtime.allConfig();
  const placed = readProjectConfig({ all, isSecret: isConfigSecret }, pulumi.getProject());
  const parsed = safeParseStackConfig(placed.raw, placed);
  const settings = await providerSettingsIssues(placed.raw, { config: all, env: process.env });
  if (!parsed.success || settings.length > 0)
    throw new ConfigError([...(parsed.success ? [] : parsed.issues), ...settings]);
  const storage = await createMediaStorage("media", parsed.config);
  const outputs = { ...storage.outputs, ...mastodonHostOutputs("media", parsed.config, storage) };
  return Object.fromEntries(
    Object.entries(outputs).filter((entry): entry is [string, pulumi.Output<unknown>] => entry[1] !== undefined),
  );
};

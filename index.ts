import * as pulumi from "@pulumi/pulumi";
import { parseStackConfig } from "./components/config";
import { projectConfigObject } from "./components/config/raw";
import { mastodonHostOutputs } from "./components/mastodon-host";
import { createMediaStorage } from "./providers";

/**
 * The edge: read the stack config, parse it (every bad key is reported before anything is registered), build
 * the chosen provider's media storage, export its outputs.
 */
export = async (): Promise<Record<string, pulumi.Output<unknown>>> => {
  const config = parseStackConfig(projectConfigObject(pulumi.runtime.allConfig(), pulumi.getProject()));
  const storage = await createMediaStorage("media", config);
  const outputs = { ...storage.outputs, ...mastodonHostOutputs("media", config, storage) };
  return Object.fromEntries(
    Object.entries(outputs).filter((entry): entry is [string, pulumi.Output<unknown>] => entry[1] !== undefined),
  );
};

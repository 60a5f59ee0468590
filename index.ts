import * as pulumi from "@pulumi/pulumi";
import { parseStackConfig } from "./components/config";
import { projectConfigObject } from "./components/config/raw";
import { createMediaStorage } from "./providers";

/**
 * The edge: read the stack config, parse it (every bad key is reported before anything is registered), build
 * the chosen provider's media storage, export its outputs.
 */
export = async (): Promise<Record<string, pulumi.Output<unknown>>> => {
  const config = parseStackConfig(projectConfigObject(pulumi.runtime.allConfig(), pulumi.getProject()));
  const storage = await createMediaStorage("media", config);
  return Object.fromEntries(
    Object.entries(storage.outputs).filter((entry): entry is [string, pulumi.Output<unknown>] => entry[1] !== undefined),
  );
};

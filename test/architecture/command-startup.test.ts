import { spawnSync } from "node:child_process";
import * as path from "node:path";
import { describe, expect, it } from "vitest";

/**
 * The admin's commands start without the Pulumi SDK. `@pulumi/pulumi` pulls in about 900 modules (grpc, npm's
 * arborist, sigstore...), most of a command's start-up: half a second of every `migrate` pass, where the pass
 * with nothing new is measured against bare rclone's (issue #23). Only the Pulumi program and the offline plan
 * need it; a library file that the commands read (components/, mastodon-env/) imports the SDK for types only
 * (`import type`, erased when compiled), and resource factories live apart (components/cache-buster-secret.ts).
 * The test loads each command's module as `npm run COMMAND` does (the project's loader) and lists what it loaded.
 */
const ROOT = path.resolve(__dirname, "../..");
const COMMANDS = ["migrate", "verify", "doctor", "purge"] as const;

function loadedPackages(command: string): string[] {
  const script = `
    require("./cli/load-typescript.cjs");
    require("./cli/${command}/command.ts");
    const packages = new Set(Object.keys(require.cache)
      .filter((file) => file.includes("/node_modules/"))
      .map((file) => file.split("/node_modules/").pop().split("/").slice(0, file.split("/node_modules/").pop().startsWith("@") ? 2 : 1).join("/")));
    process.stdout.write(JSON.stringify([...packages].sort()));
  `;
  const result = spawnSync(process.execPath, ["-e", script], { cwd: ROOT, encoding: "utf8" });
  if (result.status !== 0) throw new Error(`loading cli/${command}/command.ts failed:\n${result.stderr}`);
  return JSON.parse(result.stdout) as string[];
}

describe("the commands load no Pulumi SDK", () => {
  it.each(COMMANDS)("cli/%s/command.ts", (command) => {
    const packages = loadedPackages(command);
    // The probe sees packages at all: every one of these commands loads zod (its argument and env schemas).
    expect(packages).toContain("zod");
    expect(packages.filter((name) => name.startsWith("@pulumi/"))).toEqual([]);
  });
});

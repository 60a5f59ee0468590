import { readdirSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { defineConfig } from "vitest/config";

/**
 * Two kinds of unit test files, told apart by what the file itself calls, so that a new file is classified
 * without editing this list:
 * - "program": the file runs the program under the Pulumi mock runtime (planConfig, planStack, runProgram,
 *   setMocks, or a command in-process: planCli, runPlanCommand, runMigrateCommand). That runtime is
 *   process-global state, so these files run in forked processes, one file at a time per process; each file
 *   sets its own mocks and config before each program run (offline-plan/engine.ts runProgram), so they share the
 *   process and its loaded SDKs (isolate: false) instead of paying a process and the SDK load per file.
 * - "unit": every other file (pure functions, workflow files, commands run as child processes). These share
 *   worker threads and their module cache (isolate: false) too. A file that needs a process of its own can
 *   say so with a `// vitest: fresh process` comment.
 * `npm test` runs both projects; `npm run test:e2e` runs e2e.
 * testTimeout: tests that spawn `npm run plan` take about 2 s each on an idle machine, but on a shared 2-core
 * machine, with the typecheck running beside the suite, 30 s was seen to run out; 60 s still catches a hang.
 */
const ROOT = path.dirname(new URL(import.meta.url).pathname);
const NEEDS_FRESH_PROCESS =
  /\b(planConfig|planStack|runProgram|setMocks|planCli|runPlanCommand|runMigrateCommand)\b|\/\/ vitest: fresh process/;

const unitFiles = readdirSync(path.join(ROOT, "test"), { recursive: true })
  .map((file) => `test/${String(file).split(path.sep).join("/")}`)
  .filter((file) => file.endsWith(".test.ts") && !file.startsWith("test/e2e/"));
const programFiles = unitFiles.filter((file) => NEEDS_FRESH_PROCESS.test(readFileSync(path.join(ROOT, file), "utf8")));

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: "unit",
          include: ["test/**/*.test.ts"],
          exclude: ["test/e2e/**", ...programFiles],
          pool: "threads",
          isolate: false,
          testTimeout: 60_000,
        },
      },
      {
        test: {
          name: "program",
          include: programFiles.length > 0 ? programFiles : ["test/no-program-tests"],
          pool: "forks",
          isolate: false,
          testTimeout: 60_000,
        },
      },
      {
        test: {
          name: "e2e",
          include: ["test/e2e/**/*.test.ts"],
          pool: "forks",
          fileParallelism: false,
          testTimeout: 120_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});

import { runPlanCommand } from "./command";

/**
 * `npm run plan -- ...args` run in this process (cli/plan/command.ts): its exit code and output, also when it
 * fails. A test file calling it runs the program under the mock runtime, so it goes to vitest's "program"
 * project (vitest.config.mts). To start the command as a process, as users do, use `commandNodeArgs("plan")`
 * (test/helpers/npm-script.ts).
 */
export const planCli = runPlanCommand;

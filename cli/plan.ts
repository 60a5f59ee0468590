import { writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { UserError } from "../components/errors";
import { renderPlan } from "./plan/render";
import { planStack, publicPlan } from "./plan/run";

const USAGE = "usage: npm run plan -- --stack NAME [--json FILE] [--show-secrets]";

/** `npm run plan`: exit 0 clean, 1 when a mandatory policy is violated, 2 when the config is invalid. */
async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      stack: { type: "string" },
      json: { type: "string" },
      "show-secrets": { type: "boolean", default: false },
      help: { type: "boolean", default: false },
    },
  });
  if (values.help || !values.stack) {
    console.log(USAGE);
    return values.help ? 0 : 2;
  }
  const plan = publicPlan(await planStack(values.stack), values["show-secrets"] ?? false);
  if (values.json) writeFileSync(values.json, `${JSON.stringify(plan, null, 2)}\n`);
  process.stdout.write(renderPlan(plan));
  const mandatory = plan.violations.filter((violation) => violation.level === "mandatory").length;
  if (mandatory > 0) {
    console.error(`\n${mandatory} mandatory policy violation(s): fix them before \`pulumi up\`.`);
    return 1;
  }
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof UserError) {
      // Bad config or a missing stack file: the message names the key, no stack trace.
      console.error(error.message);
      process.exit(2);
    }
    console.error(error);
    process.exit(3);
  },
);

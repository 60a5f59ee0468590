import { regionReport } from "../region";
import { defineCheck, fail, pass } from "../check";

export const regionEndpoint = defineCheck({
  id: "region-endpoint",
  title: "S3_REGION agrees with the endpoint and host names",
  async run({ target }) {
    const report = regionReport(target);
    const [first, ...more] = report.problems;
    if (!first) return pass(...report.observed);
    const causes = [first, ...more];
    return fail(
      report.observed,
      causes.map((problem) => problem.cause).join("; "),
      causes.map((problem) => problem.fix).join("; "),
    );
  },
});

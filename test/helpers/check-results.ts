import type { CheckResult } from "../../live-checks/runner";
import { buildReport, type VerifyReport } from "../../live-checks/report";
import { AWS_ENV, targetOf } from "./target";

/**
 * Check results of every kind a live-check report holds, and the report of a run that saw them, for the tests of
 * what a report means (test/live-checks/report.test.ts, test/cli/doctor/exit-code.test.ts).
 */
export const passed: CheckResult = {
  id: "writer-upload",
  title: "the writer can upload",
  status: "pass",
  observed: ["PUT k: 200"],
  attempts: 1,
  ms: 12,
};
export const failedCors: CheckResult = {
  id: "cors",
  title: "CORS",
  status: "fail",
  observed: ["GET with Origin: https://x.example: 200, Access-Control-Allow-Origin: (none)"],
  cause: "no CORS rule",
  fix: "re-run pulumi up",
  attempts: 3,
  ms: 7_400,
};
export const pendingBust: CheckResult = {
  id: "cache-bust",
  title: "a bust request makes the edge drop a deleted file",
  status: "inconclusive",
  observed: ["X-Cache-Buster: not-installed"],
  cause: "the media host's nginx has no cache buster secret yet",
  fix: "pulumi stack output nginxCacheBusterMap --show-secrets | install -D -m 600 /dev/stdin /etc/nginx/mastodon-media/files.example.com.cache-buster.conf",
  pending: "write the nginx cache buster's secret file",
  attempts: 1,
  ms: 900,
};
export const plainInconclusive: CheckResult = {
  ...pendingBust,
  pending: undefined,
  cause: "no cache status header",
  fix: "add one",
};
export const skipped: CheckResult = {
  id: "tls",
  title: "TLS",
  status: "skip",
  observed: ["plain http on loopback"],
  attempts: 0,
  ms: 0,
};

/** The report of a run on the aws stack's env (test/helpers/target.ts AWS_ENV) that saw `checks`, 4 probes created. */
export const reportOf = (checks: CheckResult[], leftover: string[] = [], interrupted = false): VerifyReport =>
  buildReport({
    target: targetOf(AWS_ENV),
    origin: "https://social.example.com",
    checks,
    created: 4,
    leftover,
    interrupted,
    durationMs: 2_345,
  });

import { corsOrigin } from "../../live-checks/cors-origin";
import { errorCode, httpRequest } from "../../live-checks/io/http";
import type { VerifyReport } from "../../live-checks/report";
import { runVerify } from "../../live-checks/run";
import { localMediaBase } from "../../mastodon-env/model";
import { readTarget } from "../../mastodon-env/target";
import { isCheckId, type CheckId } from "../../live-checks/registry";
import { EXIT, outcomeExitCode, type ExitCode } from "../shared/exit-codes";
import type { Finding, FindingId } from "./finding";

/** What `https://LOCAL_DOMAIN/system/KEY` answered: a redirect to the media host keeps old local-storage URLs alive. */
export interface SystemRedirect {
  url: string;
  observed: string;
  redirected: boolean;
}

export interface LiveResult {
  /**
   * The live checks' own exit code, by verify's rule (cli/shared/exit-codes.ts outcomeExitCode): input when the env is
   * not usable by verify (as verify exits on it), interrupted, or the report's code (pending included).
   */
  exitCode: ExitCode;
  systemRedirect?: SystemRedirect;
  report?: VerifyReport;
  /** Why the live checks could not run (the env is not usable by verify, or a host is unreachable). */
  problems?: string[];
  /** Failed or inconclusive check -> the doctor findings that explain it. */
  attributions: Attributions;
}

/**
 * `doctor --live`: verify's checks, with doctor's findings as context (a bucket inside S3_ENDPOINT makes the
 * bucket-level checks inconclusive instead of misreading object PUTs), then each failure put down to the finding
 * that explains it.
 */
export async function runLive(
  values: ReadonlyMap<string, string>,
  findings: Finding[],
  options: { origin?: string; retryForSeconds: number; out(text: string): void; say(text: string): void },
): Promise<LiveResult> {
  const target = readTarget(values);
  if (!target.ok) return { exitCode: EXIT.input, problems: target.problems, attributions: {} };
  const outcome = await runVerify(target.target, corsOrigin(options.origin, values), {
    retryForSeconds: options.retryForSeconds,
    out: options.out,
    say: options.say,
    hints: { bucketInEndpoint: findings.some((f) => f.id === "bucket-in-endpoint") },
  });
  const exitCode = outcomeExitCode(outcome);
  if (outcome.kind === "unreachable") return { exitCode, problems: outcome.problems, attributions: {} };
  if (outcome.kind === "interrupted") return { exitCode, attributions: {} };
  // doctor sets no --expect-cname, so no DNS record is pending; a pending run is still no report of checks.
  if (outcome.kind === "pending") return { exitCode, problems: outcome.pending, attributions: {} };
  const local = localMediaBase(values);
  const systemRedirect = local ? await checkSystemRedirect(local.href, target.target.mediaBase.href) : undefined;
  return {
    exitCode,
    report: outcome.report,
    attributions: attribute(outcome.report, findings),
    ...(systemRedirect ? { systemRedirect } : {}),
  };
}

/**
 * Old local-storage URLs are `LOCALBASE KEY` (`localMediaBase` of mastodon-env/model.ts: PAPERCLIP_ROOT_URL,
 * default /system/, on CDN_HOST, WEB_DOMAIN or LOCAL_DOMAIN). A rewrite rule redirects every such path, existing or
 * not, so a made-up key shows whether it is in place. `localBase` ends with `/`.
 */
export async function checkSystemRedirect(
  localBase: string,
  mediaBase: string,
  http = httpRequest,
): Promise<SystemRedirect> {
  const key = "media_attachments/files/000/000/000/original/mastodon-media-doctor.png";
  const url = `${localBase}${key}`;
  const expected = `${mediaBase.replace(/\/$/, "")}/${key}`;
  try {
    const answer = await http(url, { method: "HEAD" });
    const location = answer.headers.location;
    const redirected = answer.status >= 300 && answer.status < 400 && location === expected;
    return {
      url,
      redirected,
      observed: `HEAD ${url}: ${answer.status}${location ? ` to ${location}` : ""}${redirected ? " (the media host, same key)" : `; expected a permanent redirect to ${expected}`}`,
    };
  } catch (error) {
    return { url, redirected: false, observed: `HEAD ${url}: ${errorCode(error)}` };
  }
}

/** Failed or inconclusive live check -> the findings that explain it. */
export type Attributions = Partial<Record<CheckId, FindingId[]>>;

/** Each failed or inconclusive check, with the ids of the findings that list it in `explains`. */
export function attribute(report: VerifyReport, findings: Finding[]): Attributions {
  const result: Attributions = {};
  for (const check of report.checks) {
    // The round trip through Mastodon's API (mastodon-*) is not a check of the registry: no finding explains it.
    const id = check.id;
    if ((check.status !== "fail" && check.status !== "inconclusive") || !isCheckId(id)) continue;
    const candidates = findings.filter((f) => f.severity !== "info" && f.explains?.includes(id));
    // What the server answered decides among them: verify's cause and fix name the variable at fault.
    const said = `${check.cause ?? ""} ${check.fix ?? ""}`;
    const named = candidates.filter((f) => f.variable.split(" and ").some((v) => said.includes(v)));
    const ids = (named.length > 0 ? named : candidates).map((f) => f.id);
    if (ids.length > 0) result[id] = ids;
  }
  return result;
}

export function renderAttributions(attributions: Attributions, findings: Finding[], system?: SystemRedirect): string {
  const entries = Object.entries(attributions);
  const lines: string[] = [];
  if (system) {
    lines.push("", `${system.redirected ? "PASS" : "WARN"}  old local-storage URLs: ${system.observed}`);
    if (!system.redirected)
      lines.push(
        "      if this instance ever stored media locally, add the /system/ redirect (see the system-redirect note above)",
      );
  }
  if (entries.length === 0) return lines.length ? `${lines.join("\n")}\n` : "";
  lines.push("", "Live failures put down to their cause:");
  for (const [check, ids] of entries) {
    for (const id of ids) {
      const f = findings.find((x) => x.id === id);
      if (f) lines.push(`  ${check}: ${f.variable} (${id}): fix: ${f.fix}`);
    }
  }
  return `${lines.join("\n")}\n`;
}

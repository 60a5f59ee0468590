import { inObjectAclMode } from "../acl-mode";
import { diagnoseNetwork } from "../diagnose";
import { describeResponse, errorCode, type HttpResponse } from "../io/http";
import { certificateNames } from "../io/tls";
import { cspAllowsHost } from "../../mastodon-env/model";
import { apiObjectUrl, mediaHostVariable, mediaUrl, type VerifyTarget } from "../../mastodon-env/target";
import { fail, inconclusive, pass, skip, type Check, type CheckContext, type CheckOutcome } from "./types";

/** An anonymous request that failed below HTTP, as an outcome. */
export function networkFailure(context: CheckContext, what: string, error: unknown): CheckOutcome {
  const code = errorCode(error);
  const variable = mediaHostVariable(context.target);
  const diagnosis = diagnoseNetwork(code, variable, { host: context.target.mediaBase.hostname, certNames: certificateNames(error) }) ?? { cause: `the request failed (${code})`, fix: `check ${variable}`, transient: true };
  return fail([`${what}: ${code}`], diagnosis.cause, diagnosis.fix, diagnosis.transient);
}

export const publicRead: Check = {
  id: "public-read",
  title: "anyone can GET the probe at its media URL: 200 and the same bytes",
  needs: ["probe"],
  retry: "deadline",
  async run(context) {
    const probe = context.state.probe!;
    const url = mediaUrl(context.target, probe.key);
    let response: HttpResponse;
    try {
      response = await context.io.http(url, { signal: context.signal });
    } catch (error) {
      return networkFailure(context, `GET ${url}`, error);
    }
    const observed = [
      `GET ${url}: ${describeResponse(response)}, ${response.body.length} bytes, Content-Type: ${response.headers["content-type"] ?? "(none)"}, Cache-Control: ${response.headers["cache-control"] ?? "(none)"}`,
    ];
    if (response.status === 200 && response.body.equals(probe.body)) {
      context.state.mediaServed = true;
      return pass(...observed);
    }
    if (response.status === 403 && context.state.aclRejected && inObjectAclMode(context.target)) {
      // Object-ACL mode: only the refused ACL would have made this probe public; writer-upload reports the refusal.
      return skip(`skipped: ${observed[0]}, as expected of a probe uploaded without x-amz-acl: public-read (refused: see writer-upload)`);
    }
    // A redirect to a host the browser's CSP allows (EXTRA_MEDIA_HOSTS, app/lib/content_security_policy.rb) is how
    // a migration keeps old URLs working: it passes when the target serves the same bytes.
    const location = response.headers.location;
    if (response.status >= 300 && response.status < 400 && location) {
      const followed = await followAllowedRedirect(context, url, location, probe.body);
      observed.push(...followed.observed);
      if (followed.ok) {
        context.state.mediaServed = true;
        context.state.servedUrl = new URL(location, url).href;
        return pass(...observed);
      }
    }
    if (response.status === 403 || response.status === 404) {
      const found = await servedElsewhere(context, probe.key, probe.body);
      if (found) return fail([...observed, ...found.observed], found.cause, found.fix);
    }
    return fail(observed, ...publicReadCause(context.target, response));
  },
};

async function followAllowedRedirect(context: CheckContext, from: string, location: string, body: Buffer): Promise<{ ok: boolean; observed: string[] }> {
  let target: URL;
  try {
    target = new URL(location, from);
  } catch {
    return { ok: false, observed: [] };
  }
  if (!cspAllowsHost(context.target.env, target.host)) {
    return { ok: false, observed: [`redirect target ${target.host} is not in the CSP (neither the media host nor EXTRA_MEDIA_HOSTS)`] };
  }
  try {
    const answer = await context.io.http(target.href, { signal: context.signal });
    const same = answer.status === 200 && answer.body.equals(body);
    return { ok: same, observed: [`redirect target ${target.host} is allowed by EXTRA_MEDIA_HOSTS; GET ${target.href}: ${describeResponse(answer)}${same ? ", the same bytes" : ""}`] };
  } catch (error) {
    return { ok: false, observed: [`GET ${target.href}: ${errorCode(error)}`] };
  }
}

/**
 * A 403/404 at the media URL, but the probe at a neighbouring URL: S3_ALIAS_HOST carries a path (or the bucket)
 * the host does not use, or lacks the bucket path a path-style host (a bare MinIO/RGW) needs.
 */
async function servedElsewhere(context: CheckContext, key: string, body: Buffer): Promise<{ observed: string[]; cause: string; fix: string } | undefined> {
  const { facts, mediaBase } = context.target;
  if (!facts.aliasHost) return undefined;
  const variable = mediaHostVariable(context.target);
  const host = `${mediaBase.protocol}//${mediaBase.host}`;
  const path = mediaBase.pathname.replace(/\/$/, "");
  const candidates: { url: string; cause: string; fix: string }[] = [];
  if (path) {
    candidates.push({
      url: `${host}/${key}`,
      cause: `${variable} carries a path (${path}${path.split("/").includes(facts.bucket) ? ", the bucket name" : ""}) but ${mediaBase.host} serves the bucket at its root: every media URL answers 403/404`,
      fix: `write S3_ALIAS_HOST=${mediaBase.host}`,
    });
  } else {
    candidates.push({
      url: `${host}/${facts.bucket}/${key}`,
      cause: `${mediaBase.host} serves buckets by path (a bare S3 endpoint: MinIO, RGW...), so media is at https://${mediaBase.host}/${facts.bucket}/KEY, not at the host's root`,
      fix: `write S3_ALIAS_HOST=${mediaBase.host}/${facts.bucket}, or serve the bucket at the root of a media host (a CDN or proxy)`,
    });
  }
  for (const candidate of candidates) {
    try {
      const answer = await context.io.http(candidate.url, { signal: context.signal });
      if (answer.status === 200 && answer.body.equals(body)) {
        return { observed: [`GET ${candidate.url}: 200, the same bytes`], cause: candidate.cause, fix: candidate.fix };
      }
    } catch {
      // Not served there either: the usual diagnosis applies.
    }
  }
  return undefined;
}

function publicReadCause(target: VerifyTarget, response: HttpResponse): [string, string, boolean] {
  const variable = mediaHostVariable(target);
  const retry = "a new CDN, certificate or DNS record takes minutes: run verify again with --retry-for 900";
  if (response.status === 403) {
    return [
      "anonymous reads of media_attachments/ are refused: the bucket policy does not grant s3:GetObject on the public prefixes to everyone (Spaces, MinIO, RGW), the CDN may not read the bucket yet (CloudFront OAC bucket policy), or Block Public Access rejects the policy",
      `re-run \`pulumi up\` to restore the bucket policy; ${retry}`,
      true,
    ];
  }
  if (response.status === 404) {
    const code = describeResponse(response);
    const bucketInAlias = target.facts.aliasHost?.includes(`/${target.facts.bucket}`);
    return [
      bucketInAlias
        ? `the media host answers ${code}: S3_ALIAS_HOST contains the bucket name, but the host already serves the bucket at its root`
        : `the media host answers ${code}: ${variable} points at another bucket or origin${code.includes("NoSuchBucket") ? " (the host does not serve this bucket)" : ""}`,
      bucketInAlias ? `remove /${target.facts.bucket} from S3_ALIAS_HOST` : `point ${variable} at the host that serves this bucket (the stack output mediaBaseUrl); ${retry}`,
      true,
    ];
  }
  if (response.status >= 300 && response.status < 400) {
    let host = "the target host";
    try {
      host = new URL(response.headers.location ?? "", target.mediaBase).host;
    } catch {
      // No usable Location: keep the generic wording.
    }
    return [
      `the media host redirects (${response.status} to ${response.headers.location ?? "?"}) to a host the browser's CSP does not allow, or that does not serve the file: browsers block the media`,
      `add it to the CSP: EXTRA_MEDIA_HOSTS=https://${host} (keep other entries), or serve media directly at ${mediaHostVariable(target)}`,
      false,
    ];
  }
  if (response.status >= 500) {
    return [`the media host fails (${describeResponse(response)}): the CDN cannot reach its origin, or is still deploying`, retry, true];
  }
  if (response.status === 200) {
    return [
      `the media host answers 200 with other content (${response.body.length} bytes): ${variable} points at something that is not this bucket (a web app, a placeholder page)`,
      `point ${variable} at the host that serves this bucket`,
      false,
    ];
  }
  return [`the media host answers ${describeResponse(response)}`, `check ${variable} and the CDN in front of the bucket`, true];
}

export const cors: Check = {
  id: "cors",
  title: "cross-origin GET and preflight get Access-Control-Allow-Origin (web UI, Elk, Phanpy fetch media)",
  needs: ["probe", "mediaServed"],
  retry: "deadline",
  async run(context) {
    // Browsers follow a redirect and judge CORS on the final answer.
    const url = context.state.servedUrl ?? mediaUrl(context.target, context.state.probe!.key);
    const { origin } = context;
    const allowed = (response: HttpResponse) => {
      const value = response.headers["access-control-allow-origin"];
      return value === "*" || value === origin;
    };
    const show = (response: HttpResponse) =>
      `${describeResponse(response)}, Access-Control-Allow-Origin: ${response.headers["access-control-allow-origin"] ?? "(none)"}`;
    let get: HttpResponse;
    let preflight: HttpResponse;
    try {
      get = await context.io.http(url, { headers: { origin }, signal: context.signal });
      preflight = await context.io.http(url, {
        method: "OPTIONS",
        headers: { origin, "access-control-request-method": "GET" },
        signal: context.signal,
      });
    } catch (error) {
      return networkFailure(context, `CORS requests to ${url}`, error);
    }
    const observed = [
      `GET with Origin: ${origin}: ${show(get)}`,
      `OPTIONS preflight (GET) from ${origin}: ${show(preflight)}${preflight.headers["access-control-allow-methods"] ? `, Access-Control-Allow-Methods: ${preflight.headers["access-control-allow-methods"]}` : ""}`,
    ];
    const preflightOk = preflight.status >= 200 && preflight.status < 300 && allowed(preflight);
    if (allowed(get) && preflightOk) return pass(...observed);
    return fail(
      observed,
      `no CORS rule allows ${origin}: the bucket's CORS rules (or the CDN's response headers policy) are missing or list other origins; browsers then refuse media to the web UI and apps like Elk or Phanpy`,
      "re-run `pulumi up` to restore the CORS rules (GET and HEAD, origins from corsOrigins); if the stack restricts origins, pass one of them with --origin; MinIO sets CORS server-wide (MINIO_API_CORS_ALLOW_ORIGIN)",
      true,
    );
  },
};

/** True when a body is an S3 listing of keys or buckets. */
export function isListing(response: HttpResponse): boolean {
  return response.status === 200 && /<(ListBucketResult|ListAllMyBucketsResult)[\s>]/.test(response.body.toString("utf8", 0, 65_536));
}

export const noListing: Check = {
  id: "no-listing",
  title: "nobody can list the bucket anonymously, at the media host's root or on the API",
  async run(context) {
    const urls = [...new Set([`${context.target.mediaBase.href.replace(/\/$/, "")}/`, apiObjectUrl(context.target, "")])];
    const observed: string[] = [];
    const listed: string[] = [];
    for (const url of urls) {
      let response: HttpResponse;
      try {
        response = await context.io.http(url, { signal: context.signal });
      } catch (error) {
        observed.push(`GET ${url}: ${errorCode(error)} (no listing)`);
        continue;
      }
      const listing = isListing(response);
      observed.push(`GET ${url}: ${describeResponse(response)}${listing ? ", an S3 listing of keys" : ""}`);
      if (listing) listed.push(url);
    }
    if (listed.length === 0 && observed.every((line) => / 404 NoSuchBucket$/.test(line))) {
      return inconclusive(observed, "every answer was 404 NoSuchBucket: the bucket does not exist at these hosts, so whether it can be listed was not tested", "fix the bucket, endpoint or media host first (see writer-upload and public-read), then run verify again");
    }
    if (listed.length === 0) return pass(...observed);
    return fail(
      observed,
      `anyone can list every key at ${listed.join(" and ")}, including the names of user archives under backups/: the bucket ACL is public-read (Spaces "file listing: public") or a bucket policy grants s3:ListBucket to everyone`,
      "make the bucket private and grant anonymous s3:GetObject on the public prefixes only: re-run `pulumi up`",
    );
  },
};

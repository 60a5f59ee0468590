import { inObjectAclMode } from "../acl-mode";
import { diagnoseNetwork } from "../diagnose";
import { describeResponse, errorCode, type HttpResponse } from "../http";
import { apiObjectUrl, mediaUrl, type VerifyTarget } from "../target";
import { fail, pass, skip, type Check, type CheckContext, type CheckOutcome } from "./types";

export function mediaVariable(target: VerifyTarget): string {
  return target.facts.aliasHost ? "S3_ALIAS_HOST" : "S3_HOSTNAME";
}

/** An anonymous request that failed below HTTP, as an outcome. */
export function networkFailure(context: CheckContext, what: string, error: unknown): CheckOutcome {
  const code = errorCode(error);
  const variable = mediaVariable(context.target);
  const diagnosis = diagnoseNetwork(code, variable) ?? { cause: `the request failed (${code})`, fix: `check ${variable}`, transient: true };
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
    return fail(observed, ...publicReadCause(context.target, response));
  },
};

function publicReadCause(target: VerifyTarget, response: HttpResponse): [string, string, boolean] {
  const variable = mediaVariable(target);
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
    return [
      `the media host redirects (${response.status} to ${response.headers.location ?? "?"}): other servers may not follow, and the browser CSP must allow the target`,
      "serve media directly at S3_ALIAS_HOST; during a migration add the target host to EXTRA_MEDIA_HOSTS",
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
    const url = mediaUrl(context.target, context.state.probe!.key);
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
    if (listed.length === 0) return pass(...observed);
    return fail(
      observed,
      `anyone can list every key at ${listed.join(" and ")}, including the names of user archives under backups/: the bucket ACL is public-read (Spaces "file listing: public") or a bucket policy grants s3:ListBucket to everyone`,
      "make the bucket private and grant anonymous s3:GetObject on the public prefixes only: re-run `pulumi up`",
    );
  },
};

import { inObjectAclMode } from "../acl-mode";
import { describeResponse, errorCode, type HttpResponse } from "../io/http";
import { cspAllowsHost } from "../../mastodon-env/model";
import { mediaHostVariable, mediaUrl, type VerifyTarget } from "../../mastodon-env/target";
import { type CheckContext, defineCheck, fail, pass, skip } from "../check";
import { networkFailure } from "../network-failure";

export const publicRead = defineCheck({
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
      return skip(
        `skipped: ${observed[0]}, as expected of a probe uploaded without x-amz-acl: public-read (refused: see writer-upload)`,
      );
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
});

async function followAllowedRedirect(
  context: CheckContext,
  from: string,
  location: string,
  body: Buffer,
): Promise<{ ok: boolean; observed: string[] }> {
  let target: URL;
  try {
    target = new URL(location, from);
  } catch {
    return { ok: false, observed: [] };
  }
  if (!cspAllowsHost(context.target.env, target.host)) {
    return {
      ok: false,
      observed: [`redirect target ${target.host} is not in the CSP (neither the media host nor EXTRA_MEDIA_HOSTS)`],
    };
  }
  try {
    const answer = await context.io.http(target.href, { signal: context.signal });
    const same = answer.status === 200 && answer.body.equals(body);
    return {
      ok: same,
      observed: [
        `redirect target ${target.host} is allowed by EXTRA_MEDIA_HOSTS; GET ${target.href}: ${describeResponse(answer)}${same ? ", the same bytes" : ""}`,
      ],
    };
  } catch (error) {
    return { ok: false, observed: [`GET ${target.href}: ${errorCode(error)}`] };
  }
}

/**
 * A 403/404 at the media URL, but the probe at a neighbouring URL: S3_ALIAS_HOST carries a path (or the bucket)
 * the host does not use, or lacks the bucket path a path-style host (a bare MinIO/RGW) needs.
 */
async function servedElsewhere(
  context: CheckContext,
  key: string,
  body: Buffer,
): Promise<{ observed: string[]; cause: string; fix: string } | undefined> {
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
      bucketInAlias
        ? `remove /${target.facts.bucket} from S3_ALIAS_HOST`
        : `point ${variable} at the host that serves this bucket (the stack output mediaBaseUrl); ${retry}`,
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
    return [
      `the media host fails (${describeResponse(response)}): the CDN cannot reach its origin, or is still deploying`,
      retry,
      true,
    ];
  }
  if (response.status === 200) {
    return [
      `the media host answers 200 with other content (${response.body.length} bytes): ${variable} points at something that is not this bucket (a web app, a placeholder page)`,
      `point ${variable} at the host that serves this bucket`,
      false,
    ];
  }
  return [
    `the media host answers ${describeResponse(response)}`,
    `check ${variable} and the CDN in front of the bucket`,
    true,
  ];
}

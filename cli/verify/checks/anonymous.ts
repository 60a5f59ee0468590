import { PRIVATE_PREFIXES } from "../../../components/prefixes";
import { exists } from "../probes";
import { describeResponse, errorCode, type HttpRequest } from "../http";
import { apiObjectUrl, mediaUrl, type VerifyTarget } from "../target";
import { putProbe, s3Failure } from "./writer";
import { fail, pass, type Check, type CheckContext } from "./types";

/** Where an anonymous client can address a key: the media URL and the S3 API (once when they coincide). */
function anonymousUrls(target: VerifyTarget, key: string): string[] {
  return [...new Set([mediaUrl(target, key), apiObjectUrl(target, key)])];
}

interface Attempt {
  line: string;
  succeeded: boolean;
}

async function anonymously(context: CheckContext, method: string, url: string, request: HttpRequest = {}): Promise<Attempt> {
  try {
    const response = await context.io.http(url, { ...request, method, signal: context.signal });
    return { line: `${method} ${url}: ${describeResponse(response)}`, succeeded: response.status >= 200 && response.status < 300 };
  } catch (error) {
    return { line: `${method} ${url}: ${errorCode(error)} (refused)`, succeeded: false };
  }
}

export const noAnonymousWrite: Check = {
  id: "no-anonymous-write",
  title: "anonymous uploads are refused, on the media host and on the API",
  async run(context) {
    const key = context.probes.key("media_attachments/", "anonymous-put.txt");
    // Tracked first: if the server wrongly accepts it, the cleanup removes it.
    context.probes.trackKey(key);
    const attempts = [];
    for (const url of anonymousUrls(context.target, key)) {
      attempts.push(await anonymously(context, "PUT", url, { body: "anonymous write probe\n", headers: { "content-type": "text/plain" } }));
    }
    const observed = attempts.map((attempt) => attempt.line);
    if (!attempts.some((attempt) => attempt.succeeded)) return pass(...observed);
    return fail(
      observed,
      "anyone can upload or overwrite media: the bucket ACL is public-read-write, a bucket policy grants s3:PutObject to everyone, or the CDN forwards writes",
      "make the bucket private and allow only GET and HEAD on the media host: re-run `pulumi up`",
    );
  },
};

export const noAnonymousDelete: Check = {
  id: "no-anonymous-delete",
  title: "anonymous deletes are refused and the probe survives them",
  needs: ["probe"],
  async run(context) {
    const probe = context.state.probe!;
    const attempts = [];
    for (const url of anonymousUrls(context.target, probe.key)) attempts.push(await anonymously(context, "DELETE", url));
    const observed = attempts.map((attempt) => attempt.line);
    let survived: boolean;
    try {
      survived = await exists(context.io.s3, context.target.facts.bucket, probe.key, context.signal);
      observed.push(`HEAD by the writer afterwards: ${survived ? "200, still there" : "404, gone"}`);
    } catch (error) {
      return s3Failure(context, error, "HEAD by the writer after the anonymous DELETE", "s3:GetObject");
    }
    if (survived && !attempts.some((attempt) => attempt.succeeded)) return pass(...observed);
    return fail(
      observed,
      "anyone can delete media: the bucket ACL is public-read-write, a bucket policy grants s3:DeleteObject to everyone, or the CDN forwards DELETE",
      "make the bucket private and allow only GET and HEAD on the media host: re-run `pulumi up`",
    );
  },
};

export const privatePrefixes: Check = {
  id: "private-prefixes",
  title: `user archives stay private: probes under ${PRIVATE_PREFIXES.join(" and ")} are not publicly readable`,
  needs: ["probe"],
  async run(context) {
    const observed: string[] = [];
    const exposed: string[] = [];
    for (const prefix of PRIVATE_PREFIXES) {
      const key = context.probes.key(prefix, "probe.txt");
      const body = Buffer.from(`mastodon-media verify private probe ${context.probes.runId}\n`);
      try {
        // Mastodon uploads archives with the `private` ACL when it sends ACLs at all (app/models/backup.rb); when the
        // server refuses ACLs, writer-upload has said so already and this check looks at privacy alone.
        const acl = context.target.uploadAcl && !context.state.aclRejected ? "private" : undefined;
        await putProbe(context, key, body, acl);
        observed.push(`PUT ${key} by the writer: 200`);
      } catch (error) {
        return s3Failure(context, error, `PUT ${key} by the writer`, "s3:PutObject");
      }
      for (const url of anonymousUrls(context.target, key)) {
        const attempt = await anonymously(context, "GET", url);
        observed.push(attempt.line);
        if (attempt.succeeded) exposed.push(prefix);
      }
    }
    if (exposed.length === 0) return pass(...observed);
    return fail(
      observed,
      `objects under ${[...new Set(exposed)].join(" and ")} are readable by anyone who learns a URL: the bucket policy grants s3:GetObject on the whole bucket ("/*") instead of the public prefixes, or (R2) the custom domain serves every key with no rule blocking these paths`,
      "grant anonymous reads on the public prefixes only (re-run `pulumi up`); on R2 block /backups/ and /imports/ on the media host",
    );
  },
};

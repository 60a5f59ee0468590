import { PRIVATE_PREFIXES } from "../../components/prefixes";
import { exists } from "../probes";
import { describeResponse, errorCode, type HttpRequest } from "../io/http";
import { apiObjectUrl, mediaUrl, type VerifyTarget } from "../../mastodon-env/target";
import { writerS3 } from "./headers";
import { putProbe, s3Failure } from "./writer";
import { fail, inconclusive, pass, type Check, type CheckContext } from "./types";

/** The anonymous answers all say the bucket does not exist: nothing about access can be concluded. */
function noBucket(lines: string[]): boolean {
  return lines.length > 0 && lines.every((line) => /: 404 NoSuchBucket$/.test(line));
}

const NO_BUCKET = "every answer was 404 NoSuchBucket: the bucket does not exist at these hosts, so the check could not test anything";
const NO_BUCKET_FIX = "fix the bucket, endpoint or media host first (see writer-upload and public-read), then run verify again";

/** Where an anonymous client can address a key: the media URL and the S3 API (once when they coincide). */
function anonymousUrls(target: VerifyTarget, key: string): string[] {
  return [...new Set([mediaUrl(target, key), apiObjectUrl(target, key)])];
}

interface Attempt {
  line: string;
  succeeded: boolean;
  /** The server answered (any status): a refused request created nothing. */
  answered: boolean;
}

async function anonymously(context: CheckContext, method: string, url: string, request: HttpRequest = {}): Promise<Attempt> {
  try {
    const response = await context.io.http(url, { ...request, method, signal: context.signal });
    return { line: `${method} ${url}: ${describeResponse(response)}`, succeeded: response.status >= 200 && response.status < 300, answered: true };
  } catch (error) {
    return { line: `${method} ${url}: ${errorCode(error)} (refused)`, succeeded: false, answered: false };
  }
}

export const noAnonymousWrite: Check = {
  id: "no-anonymous-write",
  title: "anonymous uploads are refused, on the media host and on the API",
  async run(context) {
    const key = context.probes.key("media_attachments/", "anonymous-put.txt");
    // Tracked first: if the server wrongly accepts it, the cleanup removes it; refused, it never existed.
    context.probes.trackKey(key);
    const attempts = [];
    for (const url of anonymousUrls(context.target, key)) {
      attempts.push(await anonymously(context, "PUT", url, { body: "anonymous write probe\n", headers: { "content-type": "text/plain" } }));
    }
    const observed = attempts.map((attempt) => attempt.line);
    if (attempts.some((attempt) => attempt.succeeded)) context.probes.confirmKey(key);
    else if (attempts.every((attempt) => attempt.answered)) context.probes.refusedKey(key);
    if (noBucket(observed)) return inconclusive(observed, NO_BUCKET, NO_BUCKET_FIX);
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
      const presence = await exists(writerS3(context), context.target.facts.bucket, probe.key, context.signal);
      // A writer that read the probe gets 200 for it while it exists: its 403 (no ListBucket) means it is gone.
      if (presence === "hidden" && !context.state.readOk) {
        observed.push("HEAD by the writer afterwards: 403 (the writer may not list, and could not read the probe either)");
        return inconclusive(observed, "whether the probe survived cannot be seen: the writer can neither list nor read it", "grant the writer s3:GetObject and s3:ListBucket (writer-read and writer-list say which is missing)");
      }
      survived = presence === "present";
      observed.push(`HEAD by the writer afterwards: ${survived ? "200, still there" : presence === "hidden" ? "403 for a key it could read before: gone" : "404, gone"}`);
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
        const { multipart } = await putProbe(context, key, body, acl);
        observed.push(`${multipart ? "multipart upload" : "PUT"} ${key} by the writer: 200`);
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

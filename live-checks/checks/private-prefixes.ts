import { PRIVATE_PREFIXES } from "../../components/prefixes";
import { putProbe, s3Failure } from "../writer";
import { defineCheck, fail, pass } from "../check";
import { anonymousUrls, anonymously } from "../anonymous";

export const privatePrefixes = defineCheck({
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
});

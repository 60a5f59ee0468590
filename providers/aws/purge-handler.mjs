// The purge handler behind the media distribution (providers/aws/cache-buster.ts): a Lambda function (runtime
// nodejs22.x, whose AWS SDK v3 provides @aws-sdk/client-cloudfront) reached only through its function URL, which
// only that distribution may call (origin access control, AuthType AWS_IAM). The distribution's viewer request
// function (providers/aws/cache-buster-function.ts) sends it Mastodon's bust requests, moved to
// `/.mastodon-cache-buster/DISTRIBUTION_ID/KEY`; the handler invalidates the key's cached copies with
// CreateInvalidation (CloudFront API reference, "CreateInvalidation").
import { CloudFrontClient, CreateInvalidationCommand } from "@aws-sdk/client-cloudfront";

export const PURGE_PATH_PREFIX = "/.mastodon-cache-buster/";

/** Invalidations of the same paths within this window share one CallerReference, so CloudFront makes one. */
export const DEDUPE_WINDOW_MS = 5 * 60 * 1000;

// `[PREFIX/][cache/]media_attachments/(files|thumbnails)/ID_PARTITION/STYLE/FILE` (config/initializers/paperclip.rb,
// Paperclip's :id_partition: the id in groups of three digits). Mastodon busts every style of a destroyed
// attachment (app/models/media_attachment.rb), so one wildcard on the partition folder covers them all.
const ATTACHMENT = /^((?:\/[A-Za-z0-9._-]+)*\/media_attachments\/(?:files|thumbnails)(?:\/\d{3})+)\/[a-z_]+\/[^/]+$/;

/**
 * The invalidation paths for a media key's path (`/KEY`, as the URL has it): the attachment's folder with a
 * wildcard (CloudFront charges a wildcard path as one path), then the exact path as a fallback. Any other key
 * (say, an avatar a later Mastodon busts) gets its exact path only. Null for what is no media path.
 */
export function invalidationPaths(keyPath) {
  if (!keyPath.startsWith("/") || keyPath.includes("*") || keyPath.includes("/../") || keyPath.length > 1024) return null;
  const attachment = ATTACHMENT.exec(keyPath);
  return attachment ? [`${attachment[1]}/*`, keyPath] : [keyPath];
}

function answer(statusCode, text) {
  return { statusCode, headers: { "content-type": "text/plain", "cache-control": "no-store" }, body: `${text}\n` };
}

/**
 * The handler, given its CloudFront client and clock (the Lambda entry point below uses the runtime's own).
 * Answers 202 once CloudFront accepted the invalidation, 404 for a path that is not a bust request, 503 when
 * CloudFront refused (Mastodon ignores the answer: the log line is what remains).
 */
export function createHandler({ client, now = Date.now, log = console }) {
  return async (event) => {
    const path = event.rawPath ?? "";
    const match = /^\/\.mastodon-cache-buster\/([A-Z0-9]{1,32})(\/.*)$/.exec(path);
    const paths = match ? invalidationPaths(match[2]) : null;
    if (!match || !paths) return answer(404, "not a cache bust request");
    const distributionId = match[1];
    const window = Math.floor(now() / DEDUPE_WINDOW_MS);
    for (const [index, target] of paths.entries()) {
      try {
        const result = await client.send(
          new CreateInvalidationCommand({
            DistributionId: distributionId,
            InvalidationBatch: { CallerReference: `mastodon-cache-buster ${window} ${target}`, Paths: { Quantity: 1, Items: [target] } },
          }),
        );
        log.info(`invalidation ${result.Invalidation?.Id} of ${target}`);
        return answer(202, `invalidating ${target}`);
      } catch (error) {
        // At most 15 wildcard paths may be in progress per distribution (CloudFront quotas, "Invalidations"):
        // past that, the exact path (3,000 in progress) still removes the copy Mastodon asked about.
        const last = index === paths.length - 1;
        log.error(`CreateInvalidation of ${target} failed: ${error.name}${last ? "" : "; trying the exact path"}`);
        if (last || error.name !== "TooManyInvalidationsInProgress") return answer(503, "invalidation refused");
      }
    }
    return answer(503, "invalidation refused");
  };
}

let handle;
/** The Lambda entry point (`index.handler`). */
export const handler = (event) => {
  handle ??= createHandler({ client: new CloudFrontClient({}) });
  return handle(event);
};

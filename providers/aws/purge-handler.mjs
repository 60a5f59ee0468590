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
  if (!keyPath.startsWith("/") || keyPath.includes("*") || keyPath.includes("/../") || keyPath.length > 1024)
    return null;
  const attachment = ATTACHMENT.exec(keyPath);
  return attachment ? [`${attachment[1]}/*`, keyPath] : [keyPath];
}

function answer(statusCode, text) {
  return { statusCode, headers: { "content-type": "text/plain", "cache-control": "no-store" }, body: `${text}\n` };
}

/**
 * How long before the Lambda's timeout (providers/aws/cache-buster.ts: 10 s) the handler stops retrying, so that
 * it still answers and logs. Without the Lambda context (the tests), the retries stop after `DEFAULT_BUDGET_MS`.
 */
export const RETRY_MARGIN_MS = 1500;
export const DEFAULT_BUDGET_MS = 8500;
/** The first pause between two attempts, doubled each time up to the cap (with jitter, so busts spread out). */
export const FIRST_PAUSE_MS = 200;
export const MAX_PAUSE_MS = 2000;

// The CloudFront API's throttling answer is `Throttling` ("Rate exceeded"; AWS common errors); the AWS SDK marks
// the throttling errors it knows with $retryable.throttling (@smithy/service-error-classification).
const THROTTLING = new Set(["Throttling", "ThrottlingException", "TooManyRequestsException", "RequestLimitExceeded"]);

/** Whether CloudFront may accept the same call a little later: throttling, or too many invalidations in progress. */
export function retryable(error) {
  return (
    error?.name === "TooManyInvalidationsInProgress" ||
    THROTTLING.has(error?.name) ||
    error?.$retryable?.throttling === true ||
    error?.$metadata?.httpStatusCode === 429
  );
}

const pauseFor = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The handler, given its CloudFront client, clock and pause (the Lambda entry point below uses the runtime's own).
 * Answers 202 once CloudFront accepted the invalidation, 404 for a path that is not a bust request, 503 when
 * CloudFront refused, or still throttled or still had too many invalidations in progress when the time was up
 * (Mastodon ignores the answer and never sends the bust again: the log line, naming `npm run purge`, is what
 * remains). At most 15 wildcard paths and 3,000 exact paths may be in progress per distribution (CloudFront
 * developer guide, "Quotas", invalidations): past the wildcard limit the exact path is tried at once; past both,
 * and on throttling, the same call is retried with doubling pauses until `RETRY_MARGIN_MS` before the Lambda's
 * timeout (`context.getRemainingTimeInMillis()`).
 */
export function createHandler({ client, now = Date.now, log = console, pause = pauseFor, random = Math.random }) {
  return async (event, context) => {
    const path = event.rawPath ?? "";
    const match = /^\/\.mastodon-cache-buster\/([A-Z0-9]{1,32})(\/.*)$/.exec(path);
    const paths = match ? invalidationPaths(match[2]) : null;
    if (!match || !paths) return answer(404, "not a cache bust request");
    const distributionId = match[1];
    const started = now();
    const window = Math.floor(started / DEDUPE_WINDOW_MS);
    const remaining =
      typeof context?.getRemainingTimeInMillis === "function"
        ? context.getRemainingTimeInMillis()
        : DEFAULT_BUDGET_MS + RETRY_MARGIN_MS;
    const deadline = started + remaining - RETRY_MARGIN_MS;
    let index = 0;
    let wait = FIRST_PAUSE_MS;
    for (let attempt = 1; ; attempt++) {
      const target = paths[index];
      try {
        const result = await client.send(
          new CreateInvalidationCommand({
            DistributionId: distributionId,
            InvalidationBatch: {
              CallerReference: `mastodon-cache-buster ${window} ${target}`,
              Paths: { Quantity: 1, Items: [target] },
            },
          }),
        );
        log.info(`invalidation ${result.Invalidation?.Id} of ${target}`);
        return answer(202, `invalidating ${target}`);
      } catch (error) {
        const name = error?.name ?? "Error";
        if (name === "TooManyInvalidationsInProgress" && index < paths.length - 1) {
          // Past the wildcard limit, the exact path still removes the copy Mastodon asked about.
          log.error(`CreateInvalidation of ${target} failed: ${name}; trying the exact path`);
          index += 1;
          continue;
        }
        // Full jitter on the doubling pause: the busts of one deleted account arrive together.
        const next = Math.round(wait / 2 + (random() * wait) / 2);
        if (!retryable(error) || now() + next > deadline) {
          const why = retryable(error) ? `still ${name} after ${attempt} attempts in ${now() - started} ms` : name;
          log.error(
            `CreateInvalidation of ${target} failed: ${why}; this bust is lost: npm run purge -- --url URL (docs/takedowns.md)`,
          );
          return answer(503, "invalidation refused");
        }
        log.error(`CreateInvalidation of ${target} failed: ${name}; retrying in ${next} ms`);
        await pause(next);
        wait = Math.min(wait * 2, MAX_PAUSE_MS);
      }
    }
  };
}

let handle;
/** The Lambda entry point (`index.handler`). The handler's loop is the one retry policy: the SDK's own is off. */
export const handler = (event, context) => {
  handle ??= createHandler({ client: new CloudFrontClient({ maxAttempts: 1 }) });
  return handle(event, context);
};

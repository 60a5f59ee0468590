import { fail, pass, skip, type CheckContext, type CheckOutcome } from "../check";
import { errorCode } from "../io/http";
import { servedProblems } from "./served";
import type { RoundTripState } from "./state";

/**
 * mastodon-media-served: GET of the url and preview_url with the instance's Origin, as a browser fetches them;
 * each answer judged by served.ts servedProblems (200, an image, CORS for the origin, Mastodon's Cache-Control).
 */
export async function servedCheck(state: RoundTripState, context: CheckContext): Promise<CheckOutcome> {
  if (!state.attachment?.url || state.keys.length < 2) return skip("skipped: needs mastodon-media-url to pass first");
  const observed: string[] = [];
  const causes: string[] = [];
  for (const url of [state.attachment.url, state.attachment.preview_url as string]) {
    try {
      const response = await context.io.http(url, { headers: { origin: context.origin }, signal: context.signal });
      const problems = servedProblems(response, context.origin);
      observed.push(
        `GET ${url}: ${response.status}, ${response.headers["content-type"] ?? "no content-type"}${problems.length ? `; ${problems.join("; ")}` : ""}`,
      );
      causes.push(...problems);
    } catch (error) {
      observed.push(`GET ${url}: no answer (${errorCode(error)})`);
      causes.push(`the media host did not answer (${errorCode(error)})`);
    }
  }
  if (causes.length === 0) return pass(...observed);
  return fail(
    observed,
    [...new Set(causes)].join("; "),
    "serve media straight from the bucket's headers: the CDN or proxy must keep the object's Cache-Control and Content-Type and add Access-Control-Allow-Origin (see the cors and public-read checks)",
  );
}

import { describeResponse, errorCode, type HttpRequest } from "./io/http";
import { apiObjectUrl, mediaUrl, type VerifyTarget } from "../mastodon-env/target";
import { type CheckContext } from "./check";

/** The anonymous answers all say the bucket does not exist: nothing about access can be concluded. */
export function noBucket(lines: string[]): boolean {
  return lines.length > 0 && lines.every((line) => /: 404 NoSuchBucket$/.test(line));
}

export const NO_BUCKET =
  "every answer was 404 NoSuchBucket: the bucket does not exist at these hosts, so the check could not test anything";

export const NO_BUCKET_FIX =
  "fix the bucket, endpoint or media host first (see writer-upload and public-read), then run verify again";

/** Where an anonymous client can address a key: the media URL and the S3 API (once when they coincide). */
export function anonymousUrls(target: VerifyTarget, key: string): string[] {
  return [...new Set([mediaUrl(target, key), apiObjectUrl(target, key)])];
}

interface Attempt {
  line: string;
  succeeded: boolean;
  /** The server answered (any status): a refused request created nothing. */
  answered: boolean;
}

export async function anonymously(
  context: CheckContext,
  method: string,
  url: string,
  request: HttpRequest = {},
): Promise<Attempt> {
  try {
    const response = await context.io.http(url, { ...request, method, signal: context.signal });
    return {
      line: `${method} ${url}: ${describeResponse(response)}`,
      succeeded: response.status >= 200 && response.status < 300,
      answered: true,
    };
  } catch (error) {
    return { line: `${method} ${url}: ${errorCode(error)} (refused)`, succeeded: false, answered: false };
  }
}

import { fail, pass, skip, type CheckContext, type CheckOutcome } from "../check";
import { RESTART } from "./diagnose";
import { readMediaUrl } from "./media-url";
import type { RoundTripState } from "./state";

/**
 * mastodon-media-url: the processed attachment's url and preview_url are files on the media host the env
 * names, under S3_KEY_PREFIX (media-url.ts readMediaUrl); their keys go to `state.keys` for the next checks.
 * A URL on Mastodon's own host means local storage; another host or prefix, an env other than the one verified.
 */
export function mediaUrlCheck(state: RoundTripState, context: CheckContext): CheckOutcome {
  if (!state.attachment?.url) return skip("skipped: needs mastodon-processed to pass first");
  const observed: string[] = [];
  const problems: { problem: string; observed: string }[] = [];
  for (const [field, url] of [
    ["url", state.attachment.url],
    ["preview_url", state.attachment.preview_url],
  ] as const) {
    const result = readMediaUrl(context.target, url, state.target.url.host);
    if (result.ok) {
      state.keys.push(result.key);
      observed.push(`${field}: ${url}`);
    } else {
      problems.push(result);
      observed.push(`${field}: ${result.observed}`);
    }
  }
  if (problems.length === 0) return pass(...observed);
  const kinds = new Set(problems.map((p) => p.problem));
  if (kinds.has("local-storage")) {
    return fail(
      observed,
      "Mastodon still stores media on its own disk: the env it runs with has no S3_ENABLED=true",
      `add the block to the .env.production Mastodon reads, then ${RESTART}`,
    );
  }
  if (kinds.has("wrong-host") || kinds.has("wrong-prefix") || kinds.has("missing")) {
    return fail(
      observed,
      "the env Mastodon runs with differs from the one verified here (S3_ALIAS_HOST, S3_HOSTNAME, S3_BUCKET or S3_KEY_PREFIX): it was not restarted after the edit, or it reads another file (Docker's env_file, a systemd EnvironmentFile)",
      `put the verified block in the file Mastodon reads, then ${RESTART}`,
    );
  }
  return fail(
    observed,
    "Mastodon returned URLs that are not attachment files",
    "compare Mastodon's version and the env it runs with",
  );
}

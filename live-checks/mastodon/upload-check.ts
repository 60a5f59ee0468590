import { fail, pass, skip, type CheckContext, type CheckOutcome } from "../check";
import type { MastodonApi } from "./api";
import { diagnoseApi, RESTART } from "./diagnose";
import { storageCheckPng } from "./png";
import type { RoundTripState } from "./state";

/** How long an upload may stay in processing (206) before the check gives up: images take seconds. */
export const MAX_PROCESSING_MS = 60_000;
const POLL_MS = 1_000;

/**
 * mastodon-upload: a fresh PNG (png.ts) through POST /api/v2/media, described as verify's temporary upload.
 * 200 (processed) or 202 (processing) with an id passes and records the attachment in `state`; anything else is
 * put down to its cause (diagnose.ts diagnoseApi).
 */
export async function uploadCheck(state: RoundTripState, api: MastodonApi): Promise<CheckOutcome> {
  if (!state.ready) return skip("skipped: needs mastodon-ready to pass first");
  const description = `mastodon-media storage check ${state.runId}: a temporary upload, deleted by verify`;
  const answer = await api.upload(storageCheckPng(), `storage-check-${state.runId}.png`, description);
  if ((answer.status === 200 || answer.status === 202) && answer.body?.id) {
    state.attachment = answer.body;
    state.uploadedId = answer.body.id;
    const waits =
      answer.rateLimitedWaits > 0 ? ` after ${answer.rateLimitedWaits} rate limit wait(s) (Retry-After)` : "";
    return pass(
      `POST /api/v2/media: ${answer.status}${answer.status === 202 ? " (processing)" : ""}, attachment ${answer.body.id}${waits}`,
    );
  }
  return diagnoseApi("POST /api/v2/media", answer, state.earlier(), state.target.url.origin);
}

/**
 * mastodon-processed: polls GET /api/v1/media/:id once a second (POLL_MS) until the attachment has a url,
 * for at most MAX_PROCESSING_MS; 206, or 200/202 with a null url, means still processing (Mastodon's API docs,
 * "GET /api/v1/media/:id"). A stuck upload points at Sidekiq.
 */
export async function processedCheck(
  state: RoundTripState,
  api: MastodonApi,
  context: CheckContext,
): Promise<CheckOutcome> {
  if (!state.attachment) return skip("skipped: needs mastodon-upload to pass first");
  if (state.attachment.url) return pass("processed at once (200 with a url)");
  const { clock } = state;
  const started = clock.now();
  let polls = 0;
  for (;;) {
    await clock.sleep(POLL_MS, context.signal);
    const answer = await api.get(state.attachment.id);
    polls++;
    if (answer.status === 200 && answer.body?.url) {
      state.attachment = answer.body;
      return pass(
        `GET /api/v1/media/${state.attachment.id}: 200 with a url after ${polls} poll(s), ${Math.round((clock.now() - started) / 1000)} s`,
      );
    }
    const processing = answer.status === 206 || ((answer.status === 200 || answer.status === 202) && !answer.body?.url);
    if (!processing)
      return diagnoseApi(`GET /api/v1/media/${state.attachment.id}`, answer, state.earlier(), state.target.url.origin);
    if (clock.now() - started >= MAX_PROCESSING_MS) {
      return fail(
        [
          `still processing (${answer.status}, url null) after ${polls} polls over ${Math.round(MAX_PROCESSING_MS / 1000)} s`,
        ],
        "Mastodon's sidekiq does not process media: it is stopped, behind, or cannot write to the storage",
        `check \`systemctl status mastodon-sidekiq\` and its log; ${RESTART}`,
      );
    }
  }
}

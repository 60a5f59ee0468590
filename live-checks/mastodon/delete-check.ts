import { fail, skip, warn, type CheckContext, type CheckOutcome } from "../check";
import type { MastodonApi } from "./api";
import { confirmGone } from "./confirm-gone";
import { diagnoseApi } from "./diagnose";
import type { RoundTripState } from "./state";
import { hasMediaDelete, MASTODON_VACUUM, notFoundKind } from "./version";

/**
 * mastodon-delete: DELETE /api/v1/media/:id of this run's upload, then confirm it is gone (confirm-gone.ts).
 * Mastodon before 4.4 has no such call (version.ts hasMediaDelete; its catch-all route answers 404 "Not Found"):
 * the upload is handed over to Mastodon's vacuum, a WARN. A 404 "Record not found" means something else deleted it.
 */
export async function deleteCheck(
  state: RoundTripState,
  api: MastodonApi,
  context: CheckContext,
): Promise<CheckOutcome> {
  if (!state.uploadedId) return skip("skipped: nothing was uploaded");
  const id = state.uploadedId;
  if (state.version && !hasMediaDelete(state.version)) {
    return handOver(state, id, [
      `Mastodon ${state.version.text} has no DELETE /api/v1/media/:id (added in 4.4): not called`,
    ]);
  }
  const answer = await api.remove(id);
  if (answer.status === 404) {
    const said = `DELETE /api/v1/media/${id}: 404${answer.error ? ` "${answer.error}"` : ""}`;
    const kind = notFoundKind(answer.error);
    if (kind === "no-route")
      return handOver(state, id, [`${said} (Mastodon's catch-all route: no such call before 4.4)`]);
    if (kind === "no-record") {
      state.deleted = true;
      return fail(
        [said],
        "Mastodon no longer knows the attachment this run uploaded a moment ago: something else deleted it",
        "run verify again; if it persists, report it with this output",
      );
    }
    return fail(
      [said],
      "a 404 that is not Mastodon's API (no JSON error entity): a proxy in front of Mastodon answers for /api/v1/media",
      "make the reverse proxy pass /api/ to Mastodon (Mastodon's dist/nginx.conf), then run verify again",
    );
  }
  if (answer.status !== 200) return diagnoseApi(`DELETE /api/v1/media/${id}`, answer, [], state.target.url.origin);
  state.deleted = true;
  return confirmGone(context, api, id, state.keys);
}

/**
 * After the checks, also when one failed or the run was interrupted: deletes this run's attachment if it is
 * still there, through `api` (a client on the cleanup's own signal). Returns what is left behind, for the
 * report. Never touches any other attachment.
 */
export async function cleanUpUpload(state: RoundTripState, api: MastodonApi): Promise<string[]> {
  if (!state.uploadedId || state.deleted) return [];
  const id = state.uploadedId;
  if (state.version && !hasMediaDelete(state.version)) {
    handOver(state, id, []);
    return [];
  }
  const answer = await api.remove(id).catch(() => undefined);
  // Gone: deleted now (200), or Mastodon no longer has it (404 "Record not found"). A 404 "Not Found" is the
  // catch-all route of a Mastodon without the call: the upload is still there.
  if (answer?.status === 200 || (answer?.status === 404 && notFoundKind(answer.error) === "no-record")) {
    state.deleted = true;
    return [];
  }
  if (answer?.status === 404 && notFoundKind(answer.error) === "no-route") {
    handOver(state, id, []);
    return [];
  }
  const said = answer
    ? answer.network
      ? `no answer (${answer.network})`
      : `${answer.status}${answer.error ? ` "${answer.error}"` : ""}`
    : "no answer";
  return [
    `Mastodon media attachment ${id} (unattached; DELETE /api/v1/media/${id} answered ${said}): ${MASTODON_VACUUM}`,
  ];
}

/** Mastodon before 4.4: the upload stays, unattached, until Mastodon's vacuum removes it. A limit, not a failure. */
function handOver(state: RoundTripState, id: string, observed: string[]): CheckOutcome {
  const files = state.keys.length > 0 ? ` and its files ${state.keys.join(", ")}` : "";
  state.leftToMastodon.push(`Mastodon media attachment ${id}${files} (unattached): ${MASTODON_VACUUM}`);
  state.deleted = true;
  return warn(
    observed,
    `this Mastodon version cannot delete an upload through the API, so the test attachment stays unattached; ${MASTODON_VACUUM}. The storage's own delete is proven by the writer-delete check`,
    "nothing to do; upgrading to Mastodon 4.4+ lets verify delete it at once",
  );
}

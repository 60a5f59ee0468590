import type { CheckResult } from "../runner";
import type { Clock } from "../retry";
import type { MediaAttachment } from "./api";
import type { MastodonTarget } from "./options";
import type { MastodonVersion } from "./version";

/**
 * What the checks of the round trip through Mastodon (live-checks/mastodon/round-trip.ts) share: the instance,
 * and what each check learns for the next ones, in the order they run. One per run; the checks fill it in.
 */
export interface RoundTripState {
  readonly target: MastodonTarget;
  /** The results so far (the storage checks), read when Mastodon answers 5xx. */
  readonly earlier: () => readonly CheckResult[];
  readonly clock: Clock;
  /** 12 hex digits naming this run's upload (its file name and description). */
  readonly runId: string;
  /** mastodon-ready passed: Mastodon answers /health. */
  ready: boolean;
  /** The version GET /api/v2/instance named, if it did. */
  version?: MastodonVersion;
  /** The attachment as Mastodon last returned it (url null while it is processed). */
  attachment?: MediaAttachment;
  /** The id of the attachment this run uploaded: the only one it ever deletes. */
  uploadedId?: string;
  /** The bucket keys of its url and preview_url (mastodon-media-url), in that order. */
  keys: string[];
  /** It is gone, or handed over to Mastodon's own cleanup: nothing left for the run's cleanup. */
  deleted: boolean;
  /** What is left for Mastodon's own cleanup because this version cannot delete it: reported, not a failure. */
  leftToMastodon: string[];
}

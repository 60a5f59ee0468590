/**
 * Mastodon's version and what the round trip may expect of it. The version is read from `GET /api/v2/instance`
 * (Mastodon 4.0+; `version` is Mastodon::Version.to_s from lib/mastodon/version.rb, e.g. `4.3.8`,
 * `4.5.0-beta.1`, `4.4.2+glitch` on glitch-soc). It needs no token (app/controllers/api/v2/instances_controller.rb
 * skips require_authenticated_user!).
 */

export interface MastodonVersion {
  /** As the instance names it, e.g. "4.3.8+glitch". */
  text: string;
  major: number;
  minor: number;
}

/** Reads `MAJOR.MINOR` from the instance entity's `version`; undefined when it is absent or not a version. */
export function parseMastodonVersion(body: unknown): MastodonVersion | undefined {
  const text = (body as { version?: unknown } | undefined)?.version;
  if (typeof text !== "string") return undefined;
  const match = /^(\d+)\.(\d+)(?:\.\d+)?(?:[-+].*)?$/.exec(text.trim());
  if (!match) return undefined;
  return { text: text.trim(), major: Number(match[1]), minor: Number(match[2]) };
}

/**
 * `DELETE /api/v1/media/:id` exists from Mastodon 4.4 (mastodon/mastodon PR #33991, "Add API to delete media
 * attachments that are not in use": `resources :media, only: [..., :destroy]` in config/routes/api.rb). On 4.3
 * the request falls to the catch-all route (`match '*unmatched_route'` -> ApplicationController#raise_not_found,
 * config/routes.rb), which answers `404 {"error":"Not Found"}` to a JSON client.
 */
export function hasMediaDelete(version: MastodonVersion): boolean {
  return version.major > 4 || (version.major === 4 && version.minor >= 4);
}

/**
 * The two 404 bodies a JSON client gets from Mastodon, told apart:
 * - `"Not Found"`: no route (ApplicationController#respond_with_error(404), Rack's reason phrase; on 4.3 for
 *   `DELETE /api/v1/media/:id`);
 * - `"Record not found"`: the route exists but the record does not, or is not the token's account's
 *   (app/controllers/concerns/api/error_handling.rb, rescue_from ActiveRecord::RecordNotFound).
 * Anything else on a 404 (an HTML page, no body) is not Mastodon's API answering.
 */
export type NotFoundKind = "no-route" | "no-record" | "not-mastodon";

export function notFoundKind(error: string | undefined): NotFoundKind {
  if (error === "Not Found") return "no-route";
  if (error === "Record not found") return "no-record";
  return "not-mastodon";
}

/**
 * What happens to an upload that the round trip cannot delete: Mastodon's Vacuum::MediaAttachmentsVacuum
 * (app/lib/vacuum/media_attachments_vacuum.rb, TTL = 1.day) deletes unattached attachments older than a day,
 * files included, when Scheduler::VacuumScheduler runs once a day (config/sidekiq.yml, cron between 03:00 and
 * 05:59). The same in 4.3 to 4.7.
 */
export const MASTODON_VACUUM =
  "Mastodon's daily vacuum (Scheduler::VacuumScheduler) deletes it with its files once it is a day old";

import type { CheckOutcome } from "../check";
import { fail } from "../check";
import type { CheckResult } from "../runner";
import type { ApiAnswer } from "./api";

/** How an admin makes Mastodon read an edited .env.production (docs.joinmastodon.org, "Installing from source"). */
export const RESTART =
  "restart web, sidekiq and streaming: `systemctl restart mastodon-web mastodon-sidekiq mastodon-streaming`, or `docker compose up -d` in the Mastodon directory (a plain `restart` does not re-read env_file)";

/** Which storage checks failed before the round trip: the context a 5xx from Mastodon is read in. */
export function failedStorageChecks(earlier: readonly CheckResult[]): string[] {
  return earlier
    .filter((check) => check.status === "fail" && !check.id.startsWith("mastodon-"))
    .map((check) => check.id);
}

/**
 * A failed API call, mapped to its likely cause (docs.joinmastodon.org "Media" and "Rate limits";
 * app/controllers/api/base_controller.rb for 401/403/5xx). `call` names it, e.g. "POST /api/v2/media".
 * A 5xx on upload hands over to the storage checks: `earlier` says whether they failed too.
 */
export function diagnoseApi(
  call: string,
  answer: ApiAnswer,
  earlier: readonly CheckResult[],
  instance: string,
): CheckOutcome {
  const said = answer.error ? ` "${answer.error.slice(0, 160)}"` : "";
  const observed = [answer.network ? `${call}: no answer (${answer.network})` : `${call}: ${answer.status}${said}`];
  if (answer.rateLimitedWaits > 0)
    observed.push(`waited out ${answer.rateLimitedWaits} rate limit answer(s) (429, Retry-After)`);
  if (answer.network) {
    return fail(
      observed,
      `${instance} did not answer (${answer.network})`,
      "check the --mastodon URL (https://your.instance) and that this machine can reach it",
      true,
    );
  }
  const { status } = answer;
  if (status >= 300 && status < 400) {
    return fail(
      [...observed, `redirects to ${answer.location ?? "(no Location)"}`],
      "the --mastodon URL redirects (http to https, or another host): the API is not at this address",
      `pass the address the redirect names, e.g. --mastodon ${answer.location ? new URL(answer.location, instance).origin : "https://your.instance"}`,
    );
  }
  if (status === 401) {
    return fail(
      observed,
      "the access token is missing, mistyped, revoked or from another instance",
      "create a token (Preferences > Development > New application, scope write:media) and export it as MASTODON_ACCESS_TOKEN",
    );
  }
  if (status === 403) {
    return fail(
      observed,
      "the token may not upload media: it lacks the write:media scope (or write), or its account is disabled, suspended or unconfirmed",
      "create a token with the write:media scope (Preferences > Development) for an active account, and export it as MASTODON_ACCESS_TOKEN",
    );
  }
  if (status === 422) {
    return fail(
      observed,
      "Mastodon refused the file itself: its type or size (ImageMagick/libvips missing or broken on the host also shows here), not the storage",
      "read the web log (journalctl -u mastodon-web) for the processing error, check that ImageMagick or libvips works on the host, then run verify again",
    );
  }
  if (status === 429) {
    const wait = answer.retryAfterMs !== undefined ? ` for ${Math.ceil(answer.retryAfterMs / 1000)} s` : "";
    return fail(
      observed,
      `the instance rate-limits this token or address${wait}, longer than verify waits`,
      `run verify again after${wait || " the limit resets"}`,
    );
  }
  if (status >= 500) {
    const storage = failedStorageChecks(earlier);
    return storage.length > 0
      ? fail(
          observed,
          `Mastodon could not store the upload, and the storage checks above fail too (${storage.join(", ")}): the storage refuses what Mastodon does`,
          "fix those failures first; their fixes are Mastodon's too",
        )
      : fail(
          observed,
          "the storage accepts uploads with the env verified here, so Mastodon runs with another env (not restarted after the edit, or another file) or its log names another error (an ACL or checksum header, a timeout)",
          `${RESTART}; if it persists, read the web log (journalctl -u mastodon-web) for the Aws::S3::Errors line and run \`npm run doctor -- --env\` on the env file Mastodon reads`,
        );
  }
  return fail(
    observed,
    `unexpected answer from ${call}`,
    "check the --mastodon URL and the Mastodon version (4.4+ for DELETE /api/v1/media/:id)",
  );
}

import { cspAllowsHost, localMediaBase } from "../../../mastodon-env/model";
import { finding, type Finding, type Rule } from "../finding";
import { systemRedirectLocation } from "../../shared/system-redirect";

/**
 * Changes between an old env and this one (`--previous`), and the move off local storage.
 * Other servers keep the media URLs they fetched: a media host that changes breaks every old URL unless the old
 * host keeps serving or redirecting; media stored locally lived at PAPERCLIP_ROOT_URL (default /system) on CDN_HOST,
 * else WEB_DOMAIN, else LOCAL_DOMAIN (paperclip.rb, config/initializers/1_hosts.rb: `localMediaBase` of
 * mastodon-env/model.ts), and after a move those URLs 404 unless that host redirects them to the media
 * host (Mastodon docs, "Object storage"; the rule: cli/shared/system-redirect.ts).
 */
export const previous: Rule = ({ env, values, previous }) => {
  const found: Finding[] = [];
  const host = (e: typeof env) => (e.enabled ? e.aliasHost || e.cspMediaHost || e.hostname : undefined);
  const local = localMediaBase(values) ?? (previous ? localMediaBase(previous.values) : undefined);
  const old = local?.href ?? "https://WEB_DOMAIN/system/";
  const where = local?.host ?? "WEB_DOMAIN";
  const path = local?.pathname ?? "/system/";
  const now = host(env);
  if (previous) {
    const before = host(previous.env);
    if (before && now && before.replace(/\/$/, "") !== now.replace(/\/$/, "")) {
      const allowed = cspAllowsHost(env, before.split("/")[0] ?? before, values);
      found.push(
        finding(
          "media-host-changed",
          "error",
          "S3_ALIAS_HOST",
          `the media host changed from ${before} to ${now}: every media URL other servers and old posts hold points at ${before} and breaks unless that host keeps serving (or permanently redirecting) the same keys${allowed ? "" : `; ${before} is also no longer in the CSP`}`,
          `keep ${before} serving the bucket (or redirect https://${before}/KEY to https://${now}/KEY with 301)${allowed ? "" : `, and add it to EXTRA_MEDIA_HOSTS=https://${before}`}; better: keep S3_ALIAS_HOST=${before}`,
        ),
      );
    }
    if (!previous.env.enabled && env.enabled) {
      found.push(
        finding(
          "moved-from-local",
          "warning",
          "S3_ENABLED",
          `media moved off local storage: URLs other servers hold are ${old}KEY, which 404 once the files leave public/system unless ${where} redirects them`,
          `copy public/system/ to the bucket root (same keys), then redirect in nginx on ${where}: ${systemRedirectLocation(
            path,
            `https://${now ?? "MEDIA_HOST"}/`,
          )
            .map((line) => line.trim())
            .join(
              " ",
            )}; check with curl -sI ${old}<a media key> (expect 301 to https://${now ?? "MEDIA_HOST"}/<the key>); npm run migrate generates both`,
        ),
      );
    }
  } else if (local && env.enabled) {
    found.push(
      finding(
        "system-redirect-unchecked",
        "info",
        values.get("CDN_HOST") ? "CDN_HOST" : values.get("WEB_DOMAIN") ? "WEB_DOMAIN" : "LOCAL_DOMAIN",
        `if this instance ever stored media locally, old media URLs are ${old}KEY: they 404 for other servers unless ${where} redirects ${path} to the media host`,
        `check with curl -sI ${old}media_attachments/files/<an old key> (expect 301 to https://${now ?? "MEDIA_HOST"}/media_attachments/files/<the key>); if it 404s, add to nginx on ${where}: ${systemRedirectLocation(
          path,
          `https://${now ?? "MEDIA_HOST"}/`,
        )
          .map((line) => line.trim())
          .join(" ")} (npm run migrate generates it); doctor --live checks it`,
      ),
    );
  }
  return found;
};

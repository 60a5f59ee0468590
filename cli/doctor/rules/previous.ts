import { cspAllowsHost } from "../../../mastodon-env/model";
import { finding, type Finding, type Rule } from "../finding";

/**
 * Changes between an old env and this one (`--previous`), and the move off local storage.
 * Other servers keep the media URLs they fetched: a media host that changes breaks every old URL unless the old
 * host keeps serving or redirecting; media stored locally lived at https://LOCAL_DOMAIN/system/KEY (Paperclip's
 * `:local_url` under public/system), and after a move those URLs 404 unless the web server redirects them to the
 * media host (Mastodon docs, "Moving or leaving accounts"/"Object storage": `rewrite ^/system/(.*)`).
 */
export const previous: Rule = ({ env, values, previous }) => {
  const found: Finding[] = [];
  const host = (e: typeof env) => (e.enabled ? (e.aliasHost || e.cspMediaHost || e.hostname) : undefined);
  const domain = values.get("LOCAL_DOMAIN") || previous?.values.get("LOCAL_DOMAIN");
  const now = host(env);
  if (previous) {
    const before = host(previous.env);
    if (before && now && before.replace(/\/$/, "") !== now.replace(/\/$/, "")) {
      const allowed = cspAllowsHost(env, before.split("/")[0] ?? before);
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
          `media moved off local storage: URLs other servers hold are https://${domain ?? "LOCAL_DOMAIN"}/system/KEY, which 404 once the files leave public/system unless the web server redirects them`,
          `copy public/system/ to the bucket root (same keys), then redirect in nginx: location /system/ { rewrite ^/system/(.*)$ https://${now ?? "MEDIA_HOST"}/$1 permanent; }; check with curl -sI https://${domain ?? "LOCAL_DOMAIN"}/system/<a media key> (expect 301 to https://${now ?? "MEDIA_HOST"}/<the key>); npm run migrate generates both`,
        ),
      );
    }
  } else if (domain && env.enabled) {
    found.push(
      finding(
        "system-redirect-unchecked",
        "info",
        "LOCAL_DOMAIN",
        `if this instance ever stored media locally, old media URLs are https://${domain}/system/KEY: they 404 for other servers unless ${domain} redirects /system/ to the media host`,
        `check with curl -sI https://${domain}/system/media_attachments/files/<an old key> (expect 301 to https://${now ?? "MEDIA_HOST"}/media_attachments/files/<the key>); if it 404s, add to nginx: location /system/ { rewrite ^/system/(.*)$ https://${now ?? "MEDIA_HOST"}/$1 permanent; } (npm run migrate generates it); doctor --live checks it`,
      ),
    );
  }
  return found;
};

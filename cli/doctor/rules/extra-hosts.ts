import { finding, type Finding, type Rule } from "../finding";

/**
 * EXTRA_MEDIA_HOSTS (Mastodon 4.4+, app/lib/content_security_policy.rb): split on commas and spaces, each entry
 * added as is to the CSP's img-src/media-src. `https://host` (the docs' form) and a bare `host` are both valid CSP
 * sources; a path limits the source to that path; `http://` sources are blocked on an https page (mixed content).
 */
export const extraMediaHosts: Rule = ({ env }) => {
  const found: Finding[] = [];
  for (const entry of env.extraMediaHosts) {
    if (!entry.host) {
      found.push(
        finding(
          "extra-media-host-invalid",
          "error",
          "EXTRA_MEDIA_HOSTS",
          `an EXTRA_MEDIA_HOSTS entry is not a host or URL (${JSON.stringify(entry.raw.slice(0, 60))}): the browser drops it from the CSP, so media from that host stays blocked`,
          "write hosts separated by commas, e.g. EXTRA_MEDIA_HOSTS=https://old-files.example.com,https://files.example.com",
        ),
      );
    } else if (entry.scheme && entry.scheme !== "https") {
      found.push(
        finding(
          "extra-media-host-scheme",
          "warning",
          "EXTRA_MEDIA_HOSTS",
          `EXTRA_MEDIA_HOSTS allows ${entry.raw}: browsers block ${entry.scheme} media on an https instance anyway`,
          `write https://${entry.host}`,
        ),
      );
    } else if (/\/[^/]/.test(entry.raw.replace(/^[a-z]+:\/\//i, ""))) {
      found.push(
        finding(
          "extra-media-host-path",
          "info",
          "EXTRA_MEDIA_HOSTS",
          `the EXTRA_MEDIA_HOSTS entry ${entry.raw} carries a path: the CSP allows only URLs under it`,
          `write only the host (https://${entry.host}) unless that is intended`,
        ),
      );
    }
  }
  return found;
};

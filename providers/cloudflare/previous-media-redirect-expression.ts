/**
 * The Single Redirect rules that keep the URLs of previous media hosts working: each old media base answers
 * 301 with the same key on the current one (Cloudflare docs, "Single Redirects", dynamic redirects; "Functions":
 * `concat` and `wildcard_replace`, each at most once per expression). Pure, for the component and the tests.
 */
export interface RedirectRuleSpec {
  /** Which requests: the old host (and its key path). */
  expression: string;
  /** Where to: an expression evaluating to the new URL. */
  targetExpression: string;
  /** Whether Cloudflare appends the query string (Paperclip's `?TIMESTAMP`) itself. */
  preserveQueryString: boolean;
}

/**
 * `previous` is a media base as in previousMediaDomains (`files.example.com` or `files.example.com/social`);
 * `mediaDomain` and `keyPrefix` are the current ones. The current URL of a key is `https://MEDIA/[PREFIX/]KEY`.
 *
 * When the old base is on the media host itself and the current base lies under it (a key prefix added on the
 * same host: `files.example.com` -> `files.example.com/social`, or nested: `/a` -> `/a/b`), the old base's
 * pattern also matches every current URL, which would answer 301 to `/social/social/...` forever. The current
 * base is then excluded from the rule (issue #21); the old URLs there are the current ones already.
 */
export function previousMediaRedirect(previous: string, mediaDomain: string, keyPrefix?: string): RedirectRuleSpec {
  const [host = "", ...segments] = previous.split("/");
  const oldPath = segments.length > 0 ? `/${segments.join("/")}/` : "/";
  const newPath = `/${keyPrefix ? `${keyPrefix}/` : ""}`;
  const newBase = `https://${mediaDomain}${newPath}`;
  if (oldPath === "/" && !keyPrefix) {
    return {
      expression: `(http.host eq "${host}")`,
      targetExpression: `concat("https://${mediaDomain}", http.request.uri.path)`,
      preserveQueryString: true,
    };
  }
  const sameHost = host.toLowerCase() === mediaDomain.toLowerCase();
  const excludeCurrent =
    sameHost && newPath.startsWith(oldPath) ? ` and not starts_with(http.request.uri.path, "${newPath}")` : "";
  // full_uri carries the scheme: the rule matches https only, so the pattern always matches what it is given
  // (a wildcard_replace that does not match would return the same URL: a redirect loop).
  return {
    expression: `(http.host eq "${host}" and ssl and starts_with(http.request.uri.path, "${oldPath}")${excludeCurrent})`,
    targetExpression: `wildcard_replace(http.request.full_uri, "https://${host}${oldPath}*", "${newBase}\${1}")`,
    preserveQueryString: false,
  };
}

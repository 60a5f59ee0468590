import { isLoopbackHost } from "../../components/hosts";

export interface MastodonTarget {
  /** The instance, e.g. https://social.example.com (origin only). */
  url: URL;
  /** MASTODON_ACCESS_TOKEN: a token with write:media. Never printed; verify's redact() masks it. */
  token: string;
}

/** The variable the token is read from: never a flag, so that it stays out of argv and shell history. */
export const TOKEN_VARIABLE = "MASTODON_ACCESS_TOKEN";

/**
 * `--mastodon URL` and the token from the environment, or the problems with them (one line each, for exit 2).
 * The URL must be an instance's origin; http is accepted only on loopback (the token crosses it).
 */
export function readMastodonTarget(
  flag: string,
  env: NodeJS.ProcessEnv,
): { target?: MastodonTarget; problems: string[] } {
  const problems: string[] = [];
  let url: URL | undefined;
  try {
    url = new URL(flag);
  } catch {
    problems.push(
      `--mastodon must be the instance's address, e.g. https://social.example.com (got ${JSON.stringify(flag.slice(0, 80))})`,
    );
  }
  if (url) {
    const loopback = isLoopbackHost(url.hostname);
    if (url.protocol !== "https:" && !(url.protocol === "http:" && loopback)) {
      problems.push(
        `--mastodon must start with https:// (the access token crosses it; http only on loopback) (got ${JSON.stringify(url.origin)})`,
      );
    } else if (
      (url.pathname !== "/" && url.pathname !== "") ||
      url.search ||
      url.hash ||
      url.username ||
      url.password
    ) {
      problems.push(
        `--mastodon must be scheme and host only, without a path (got ${JSON.stringify(url.origin + url.pathname)})`,
      );
    }
  }
  const token = env[TOKEN_VARIABLE]?.trim();
  if (!token) {
    problems.push(
      `${TOKEN_VARIABLE} is not set: export a Mastodon access token with the write:media scope (Preferences > Development > New application)`,
    );
  } else if (/\s/.test(token)) {
    problems.push(`${TOKEN_VARIABLE} contains whitespace: paste the token alone`);
  }
  return problems.length > 0 || !url || !token
    ? { problems }
    : { target: { url: new URL(url.origin), token }, problems };
}

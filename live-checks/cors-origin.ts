/** Stands for a third-party client (Elk, Phanpy...) when neither --origin nor the env names the instance. */
export const DEFAULT_ORIGIN = "https://third-party-client.example";

/** The origin for the CORS checks: the flag, else the instance named in a full Mastodon env, else a third party. */
export function corsOrigin(flag: string | undefined, env: ReadonlyMap<string, string>): string {
  if (flag) return flag;
  const domain = env.get("WEB_DOMAIN") || env.get("LOCAL_DOMAIN");
  return domain && /^[a-z0-9.-]+(:\d+)?$/i.test(domain) ? `https://${domain}` : DEFAULT_ORIGIN;
}

/**
 * Whether a host is in a Cloudflare zone: the zone's apex or a name under it. A zone's rules see only requests for
 * its own hosts (Cloudflare docs, "Single Redirects": rules apply to the zone's proxied traffic), so a Single
 * Redirect for a host of another zone never runs.
 */
export function isInZone(host: string, zoneName: string): boolean {
  const [name, zone] = [host.toLowerCase().replace(/\.$/, ""), zoneName.toLowerCase().replace(/\.$/, "")];
  return name === zone || name.endsWith(`.${zone}`);
}

/**
 * The previous media bases (previousMediaDomains, `host[/path]`) whose host is outside the zone: the stack's
 * redirect for them is written but can never run. The caller warns, naming them; it does not refuse, since the
 * old host may keep answering by a redirect kept elsewhere (docs/migrating.md).
 */
export function previousBasesOutsideZone(previous: readonly string[], zoneName: string): string[] {
  return previous.filter((base) => !isInZone(base.split("/")[0] ?? "", zoneName));
}

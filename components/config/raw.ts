/**
 * Turns a stack's flat config map (`{"mastodon-media:bucket": "...", "aws:region": "..."}`, as the Pulumi CLI
 * passes it to the program) into the plain object the schema parses. Structured values arrive as JSON text.
 */
export function projectConfigObject(all: Record<string, string>, project: string): Record<string, unknown> {
  const prefix = `${project}:`;
  const raw: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(all)) {
    if (!key.startsWith(prefix)) continue;
    raw[key.slice(prefix.length)] = parseStructured(value);
  }
  return raw;
}

function parseStructured(value: string): unknown {
  if (!/^\s*[[{]/.test(value)) return value;
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}

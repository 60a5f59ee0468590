/**
 * Readers for resource properties as policies receive them: plain JSON-like values in the offline plan,
 * proxies in CrossGuard (which throw UnknownValueError when a value is unknown during preview, so nothing here
 * may catch errors). Each reader returns a safe default instead of trusting the shape.
 */

export function record(value: unknown): Record<string, unknown> | undefined {
  return typeof value === "object" && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

export function list(value: unknown): unknown[] {
  return Array.isArray(value) ? [...value] : [];
}

export function text(value: unknown): string | undefined {
  return typeof value === "string" ? value : undefined;
}

export function texts(value: unknown): string[] {
  return list(value).filter((item): item is string => typeof item === "string");
}

/** A record's field, read through any number of nested records: `field(props, "corsConfig", "items")`. */
export function field(value: unknown, ...path: string[]): unknown {
  let current = value;
  for (const key of path) current = record(current)?.[key];
  return current;
}

export function number(value: unknown): number | undefined {
  return typeof value === "number" && Number.isFinite(value) ? value : undefined;
}

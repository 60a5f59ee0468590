import { MOCK_PLACEHOLDER } from "../components/masks";

/** Where a placeholder stands in the plan's JSON: a stack output, or an input of a resource (by URN). */
export interface PlaceholderAt {
  output?: string;
  resource?: string;
  /** Dotted path inside the output or the resource's inputs; "" for the whole value. */
  path: string;
}

/**
 * Replaces, in every string inside `value`, each value the mock engine invented by MOCK_PLACEHOLDER, and
 * records where it did. Longer values are replaced first, so that one that contains another is replaced
 * whole. Values shorter than 8 characters are never replaced: they could match ordinary text.
 */
export function hideMockValues(
  value: unknown,
  mockValues: readonly string[],
  at: (path: string) => PlaceholderAt,
  found: PlaceholderAt[],
): unknown {
  const invented = [...new Set(mockValues)].filter((text) => text.length >= 8).sort((a, b) => b.length - a.length);
  const walk = (item: unknown, path: string): unknown => {
    if (typeof item === "string") {
      const replaced = invented.reduce(
        (text, made) => (text.includes(made) ? text.split(made).join(MOCK_PLACEHOLDER) : text),
        item,
      );
      if (replaced !== item) found.push(at(path));
      return replaced;
    }
    if (Array.isArray(item)) return item.map((entry, index) => walk(entry, path ? `${path}.${index}` : String(index)));
    if (item !== null && typeof item === "object") {
      return Object.fromEntries(
        Object.entries(item).map(([key, entry]) => [key, walk(entry, path ? `${path}.${key}` : key)]),
      );
    }
    return item;
  };
  return invented.length === 0 ? value : walk(value, "");
}

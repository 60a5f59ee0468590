import type { z } from "zod";

/**
 * The config as far as it parses: every field that parses has its parsed value (defaults applied), every
 * field that does not keeps its raw value, and an object the schema expects is always an object. Rules
 * between keys run on this, so that they are reported in the same run as the single-key problems.
 */
export function bestEffortParse(schema: z.ZodType, value: unknown): unknown {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const shape = objectShape(schema);
  if (!shape) return value;
  const source =
    value !== null && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
  return Object.fromEntries(Object.entries(shape).map(([key, field]) => [key, bestEffortParse(field, source[key])]));
}

interface SchemaDef {
  type: string;
  innerType?: z.ZodType;
  shape?: Record<string, z.ZodType>;
}

/** The fields of an object schema, through optional/default wrappers (zod v4 `def`); undefined otherwise. */
function objectShape(schema: z.ZodType): Record<string, z.ZodType> | undefined {
  let def = (schema as unknown as { def: SchemaDef }).def;
  while (["optional", "default", "prefault", "nullable"].includes(def.type) && def.innerType) {
    def = (def.innerType as unknown as { def: SchemaDef }).def;
  }
  return def.type === "object" ? def.shape : undefined;
}

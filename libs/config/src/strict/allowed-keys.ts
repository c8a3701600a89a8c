import { z } from 'zod';

/** The parts of a zod 4 schema definition this walk reads. */
interface SchemaDef {
  type: string;
  shape?: Record<string, z.ZodType>;
  element?: z.ZodType;
  valueType?: z.ZodType;
  innerType?: z.ZodType;
  in?: z.ZodType;
  out?: z.ZodType;
  options?: z.ZodType[];
  getter?: () => z.ZodType;
}

const defOf = (schema: z.ZodType): SchemaDef => schema._zod.def;

/**
 * The key names an object in the schema allows at `path` (a zod issue's path), so an
 * unknown key can be answered with the nearest valid one. Derived from the schema
 * itself rather than listed again, so the suggestions can never fall behind it.
 */
export function allowedKeysAt(schema: z.ZodType, path: ReadonlyArray<PropertyKey>): string[] {
  const found = new Set<string>();
  for (const object of schemasAt(schema, path)) {
    for (const key of Object.keys(defOf(object).shape ?? {})) found.add(key);
  }
  return [...found];
}

function schemasAt(schema: z.ZodType, path: ReadonlyArray<PropertyKey>): z.ZodType[] {
  let current = unwrap(schema);
  for (const segment of path) {
    current = current.flatMap((node) => {
      const def = defOf(node);
      if (def.type === 'object' && typeof segment === 'string' && def.shape?.[segment]) return unwrap(def.shape[segment]);
      if (def.type === 'array' && def.element && typeof segment === 'number') return unwrap(def.element);
      if (def.type === 'record' && def.valueType) return unwrap(def.valueType);
      return [];
    });
  }
  return current.filter((node) => defOf(node).type === 'object');
}

/** Looks through defaults, optionals, preprocessing and unions to the schemas that hold keys. */
function unwrap(schema: z.ZodType): z.ZodType[] {
  const def = defOf(schema);
  if (def.innerType) return unwrap(def.innerType);
  if (def.type === 'pipe' && def.in && def.out) return unwrap(defOf(def.out).type === 'transform' ? def.in : def.out);
  if (def.type === 'lazy' && def.getter) return unwrap(def.getter());
  if (def.type === 'union' && def.options) return def.options.flatMap(unwrap);
  return [schema];
}

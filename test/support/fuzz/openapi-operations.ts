/**
 * The operations of an OpenAPI 3.1 document, flattened into what a request generator
 * needs: method, path template, parameters (path-level merged with operation-level)
 * and the JSON request body. Reading them from the document rather than a list kept
 * here is what makes a new route fuzzed without anyone touching the fuzzer.
 */

/** The subset of JSON Schema (2020-12, as zod emits it) the fuzzer understands. */
export interface JsonSchema {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  propertyNames?: JsonSchema;
  items?: JsonSchema;
  minItems?: number;
  maxItems?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  format?: string;
  enum?: unknown[];
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  anyOf?: JsonSchema[];
  default?: unknown;
  $ref?: string;
}

export type ParameterLocation = 'path' | 'query' | 'header';

export interface Parameter {
  name: string;
  in: ParameterLocation;
  required: boolean;
  schema: JsonSchema;
  example?: unknown;
}

export interface Operation {
  /** `POST /v1/sessions`: the test name, and what `-t` selects to reproduce. */
  name: string;
  method: string;
  path: string;
  parameters: Parameter[];
  body?: { schema: JsonSchema; example: unknown };
  /** Methods the document does not list for this path: a request with one must be refused. */
  otherMethods: string[];
}

const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'patch'] as const;

interface OpenApiDocument {
  paths: Record<string, Record<string, unknown>>;
  components?: { schemas?: Record<string, JsonSchema> };
}

interface RawOperation {
  parameters?: Parameter[];
  requestBody?: { content?: Record<string, { schema?: JsonSchema; example?: unknown }> };
}

/** Takes the document untyped, as it comes from the builder or from /docs/openapi.json. */
export function operationsOf(untyped: Record<string, unknown>): Operation[] {
  const document = untyped as unknown as OpenApiDocument;
  return Object.entries(document.paths).flatMap(([path, item]) => {
    const listed = HTTP_METHODS.filter((method) => method in item);
    const shared = (item.parameters as Parameter[] | undefined) ?? [];
    return listed.map((method): Operation => {
      const raw = item[method] as RawOperation;
      const own = raw.parameters ?? [];
      // An operation-level parameter overrides a path-level one of the same name and place.
      const parameters = [...shared.filter((p) => !own.some((o) => o.name === p.name && o.in === p.in)), ...own].map((p) => ({
        ...p,
        schema: resolve(document, p.schema),
      }));
      const json = raw.requestBody?.content?.['application/json'];
      return {
        name: `${method.toUpperCase()} ${path}`,
        method: method.toUpperCase(),
        path,
        parameters,
        body: json?.schema ? { schema: resolve(document, json.schema), example: json.example } : undefined,
        otherMethods: HTTP_METHODS.filter((other) => !listed.includes(other)).map((other) => other.toUpperCase()),
      };
    });
  });
}

/** Inlines `#/components/schemas/…` references, so generators never meet a `$ref`. */
function resolve(document: OpenApiDocument, schema: JsonSchema): JsonSchema {
  if (schema.$ref) {
    const name = schema.$ref.replace('#/components/schemas/', '');
    const target = document.components?.schemas?.[name];
    if (!target) throw new Error(`the document refers to ${schema.$ref}, which it does not define`);
    return resolve(document, target);
  }
  const out: JsonSchema = { ...schema };
  if (schema.properties) out.properties = Object.fromEntries(Object.entries(schema.properties).map(([key, value]) => [key, resolve(document, value)]));
  if (schema.items) out.items = resolve(document, schema.items);
  if (schema.anyOf) out.anyOf = schema.anyOf.map((option) => resolve(document, option));
  if (typeof schema.additionalProperties === 'object') out.additionalProperties = resolve(document, schema.additionalProperties);
  return out;
}

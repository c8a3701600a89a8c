import fc from 'fast-check';
import { LiveRef, LiveValues } from './live-values';
import { bodyPaths, setAt } from './body-paths';
import { JsonSchema, Operation, Parameter } from './openapi-operations';
import { RawJson, serialize } from './raw-json';
import { DrawOptions, boundaryFor, valueFor, wrongTypeFor } from './schema-arbitrary';

/**
 * One generated request, before live values are bound. `kind` says how it was made
 * (valid, boundary, or which mutation), which is the first thing to read in a failure.
 */
export interface RequestTemplate {
  kind: string;
  method: string;
  pathParams: Record<string, unknown>;
  query: Array<[string, unknown]>;
  headers: Record<string, string>;
  body?: { value: unknown } | { text: string };
  contentType?: string;
  /** Inserted into the URL verbatim (a malformed percent-escape, a 100 KB segment). */
  rawPathSuffix?: string;
}

/** A request ready for fetch, with everything bound and encoded. */
export interface HttpRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: string;
}

const JSON_TYPE = 'application/json';

/** Valid, boundary and mutated requests for one operation, 3:5:2: boundaries find the most. */
export function requestsFor(operation: Operation, live: LiveValues): fc.Arbitrary<RequestTemplate> {
  const valid = validTemplate(operation, live);
  return fc.oneof(
    { arbitrary: valid, weight: 3 },
    { arbitrary: boundariesOf(operation, valid), weight: 5 },
    { arbitrary: mutationsOf(operation, valid), weight: 2 },
  );
}

function validTemplate(operation: Operation, live: LiveValues): fc.Arbitrary<RequestTemplate> {
  const options: DrawOptions = { live: live.fields('any') };
  const pathOptions: DrawOptions = { live: live.fields('answers') };
  const byPlace = (place: Parameter['in']) => operation.parameters.filter((parameter) => parameter.in === place);
  const pathParams = fc.record(Object.fromEntries(byPlace('path').map((p) => [p.name, parameterValue(p, pathOptions)])));
  const query = fc.record(Object.fromEntries(byPlace('query').map((p) => [p.name, parameterValue(p, options)])), {
    requiredKeys: byPlace('query')
      .filter((p) => p.required)
      .map((p) => p.name),
  });
  const headers = fc.record(Object.fromEntries(byPlace('header').map((p) => [p.name, parameterValue(p, options).map(headerSafe)])), { requiredKeys: [] });
  const body = operation.body ? bodyFor(operation.body, options) : fc.constant(undefined);
  return fc.record({ pathParams, query, headers, body }).map(({ pathParams, query, headers, body }) => ({
    kind: 'valid',
    method: operation.method,
    pathParams,
    query: Object.entries(query),
    headers: headers as Record<string, string>,
    body,
    contentType: body ? JSON_TYPE : undefined,
  }));
}

/**
 * Half the bodies are the document's example with live values in place of its scope and
 * tokens: the schema cannot say that `record` and `records` exclude each other, the
 * example can, and a body that passes validation is where boundary values do damage.
 */
function bodyFor(body: NonNullable<Operation['body']>, options: DrawOptions): fc.Arbitrary<{ value: unknown }> {
  const generated = valueFor(body.schema, options);
  const example = body.example;
  if (example === null || typeof example !== 'object' || Array.isArray(example)) return generated.map((value) => ({ value }));
  const fields = Object.keys(example).filter((field) => options.live.includes(field));
  const anchored = fc
    .tuple(...fields.map(() => fc.nat(63)))
    .map((picks) => ({ ...example, ...Object.fromEntries(fields.map((field, i) => [field, new LiveRef(field, picks[i])])) }));
  return fc.oneof(generated, anchored).map((value) => ({ value }));
}

/** A valid request with one boundary value, at one place of the body or in one parameter. */
function boundariesOf(operation: Operation, valid: fc.Arbitrary<RequestTemplate>): fc.Arbitrary<RequestTemplate> {
  type Place = (request: RequestTemplate, value: unknown) => RequestTemplate;
  const places: Array<{ label: string; schema: JsonSchema; put: Place }> = [];
  for (const { path, schema } of operation.body ? bodyPaths(operation.body.schema) : []) {
    places.push({
      label: `body ${path.join('.')}`,
      schema,
      put: (r, value) => withBody(r, setAt(bodyObject(r), path, value, operation.body?.example) as Record<string, unknown>),
    });
  }
  for (const parameter of operation.parameters) {
    const label = `${parameter.in} ${parameter.name}`;
    if (parameter.in === 'path')
      places.push({ label, schema: parameter.schema, put: (r, value) => ({ ...r, pathParams: { ...r.pathParams, [parameter.name]: value } }) });
    if (parameter.in === 'query')
      places.push({
        label,
        schema: parameter.schema,
        put: (r, value) => ({ ...r, query: [...r.query.filter(([key]) => key !== parameter.name), [parameter.name, value]] }),
      });
    if (parameter.in === 'header')
      places.push({ label, schema: parameter.schema, put: (r, value) => ({ ...r, headers: { ...r.headers, [parameter.name]: headerSafe(value) } }) });
  }
  if (places.length === 0) return valid;
  const weighted = places.map((place) => ({ arbitrary: fc.constant(place), weight: hostility(place.schema) }));
  const edit = fc.oneof(...weighted).chain((place) => boundaryFor(place.schema).map((value) => ({ place, value })));
  return fc.tuple(valid, edit).map(([request, { place, value }]) => ({ ...place.put(request, value), kind: `boundary: ${place.label}` }));
}

/**
 * How often a place is picked for a boundary value: instants and free-form JSON most
 * (the read model's column range and any recursive walk are far narrower than what the
 * schema admits), unconstrained strings next, places with a pattern or enum least (their
 * check is the schema itself, and every operation has several).
 */
function hostility(schema: JsonSchema): number {
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
  if (schema.format === 'date-time' || type === undefined || (type === 'object' && !schema.properties)) return 8;
  if (type === 'string' && !schema.pattern && !schema.enum) return 2;
  return 1;
}

/** Path parameters lean on the document's example (`my-product-tag`): most requests should reach a handler. */
function parameterValue(parameter: Parameter, options: DrawOptions): fc.Arbitrary<unknown> {
  const drawn = valueFor(parameter.schema, options, parameter.name);
  return parameter.example === undefined ? drawn : fc.oneof({ arbitrary: fc.constant(parameter.example), weight: 3 }, { arbitrary: drawn, weight: 1 });
}

/** fetch refuses header values outside visible Latin-1: those are sent percent-encoded. */
function headerSafe(value: unknown): string {
  const text = typeof value === 'string' ? value : serialize(value);
  return /^[\t\x20-\x7e\x80-\xff]*$/.test(text) && text.length < 8192 ? text : encodeURIComponent(wellFormed(text)).slice(0, 8192);
}

/** Each mutation breaks one thing about an otherwise valid request. */
function mutationsOf(operation: Operation, valid: fc.Arbitrary<RequestTemplate>): fc.Arbitrary<RequestTemplate> {
  const mutations: Array<fc.Arbitrary<(request: RequestTemplate) => RequestTemplate>> = [];
  const schema = operation.body?.schema;
  const properties = Object.entries(schema?.properties ?? {});
  if (schema) {
    if (schema.required?.length) {
      mutations.push(
        fc
          .constantFrom(...schema.required)
          .map((field) => (r: RequestTemplate) => ({ ...withBody(r, omit(bodyObject(r), field)), kind: `mutation: body without required ${field}` })),
      );
    }
    if (properties.length > 0) {
      mutations.push(
        fc.constantFrom(...properties).chain(([field, property]) =>
          wrongTypeFor(property).map((wrong) => (r: RequestTemplate) => ({
            ...withBody(r, { ...bodyObject(r), [field]: wrong }),
            kind: `mutation: body ${field} of the wrong type`,
          })),
        ),
      );
    }
    mutations.push(
      fc
        .constantFrom('unexpected', 'constructor', 'prototype')
        .map((field) => (r: RequestTemplate) => ({ ...withBody(r, { ...bodyObject(r), [field]: 1 }), kind: `mutation: body with extra field ${field}` })),
      fc.constant((r: RequestTemplate) => ({
        ...withBody(r, withOwnKey(bodyObject(r), '__proto__', { admin: true })),
        kind: 'mutation: body with a __proto__ key',
      })),
      fc
        .constantFrom<unknown>([], 'text', 42, null, true)
        .map((value) => (r: RequestTemplate) => ({ ...r, body: { value }, kind: 'mutation: body not an object' })),
      fc
        .constantFrom('{"product":', '', '{', '{"a":1}}', '\u0000', '{"a":"\\ud800"}', '{"a":01}')
        .map((text) => (r: RequestTemplate) => ({ ...r, body: { text }, kind: 'mutation: body not JSON' })),
      fc
        .constantFrom<[string | undefined, ((r: RequestTemplate) => RequestTemplate['body']) | undefined]>(
          ['text/plain', undefined],
          ['application/x-www-form-urlencoded', () => ({ text: 'product=my-product-tag&env=snd&tag=session-tag' })],
          ['multipart/form-data; boundary=x', () => ({ text: '--x\r\nContent-Disposition: form-data; name="a"\r\n\r\n1\r\n--x--' })],
          ['application/xml', () => ({ text: '<a/>' })],
          [undefined, undefined],
          ['application/json; charset=utf-16', undefined],
          ['application/problem+json', undefined],
        )
        .map(([contentType, body]) => (r: RequestTemplate) => ({
          ...r,
          contentType,
          body: body ? body(r) : r.body,
          kind: `mutation: content type ${contentType ?? 'missing'}`,
        })),
    );
  }
  const query = operation.parameters.filter((p) => p.in === 'query');
  if (query.some((p) => p.required)) {
    mutations.push(
      fc
        .constantFrom(...query.filter((p) => p.required).map((p) => p.name))
        .map((name) => (r: RequestTemplate) => ({ ...r, query: r.query.filter(([key]) => key !== name), kind: `mutation: query without required ${name}` })),
    );
  }
  if (query.length > 0) {
    mutations.push(
      fc.constantFrom(...query).chain((p) =>
        fc.oneof(wrongTypeFor(p.schema), boundaryFor(p.schema)).map((wrong) => (r: RequestTemplate) => ({
          ...r,
          query: [...r.query.filter(([key]) => key !== p.name), [p.name, wrong] as [string, unknown]],
          kind: `mutation: query ${p.name} of the wrong type`,
        })),
      ),
      fc.constantFrom(...query).map((p) => (r: RequestTemplate) => ({
        ...r,
        query: [...r.query, [p.name, 'repeated'] as [string, unknown]],
        kind: `mutation: query ${p.name} repeated`,
      })),
      fc
        .constantFrom('unexpected', '__proto__', 'constructor[prototype]')
        .map((name) => (r: RequestTemplate) => ({ ...r, query: [...r.query, [name, 'x'] as [string, unknown]], kind: `mutation: query with extra ${name}` })),
    );
  }
  if (operation.otherMethods.length > 0) {
    mutations.push(fc.constantFrom(...operation.otherMethods).map((method) => (r: RequestTemplate) => ({ ...r, method, kind: `mutation: method ${method}` })));
  }
  mutations.push(
    fc
      .constantFrom('%', '%zz', '%E0%A4%A', '%00', '%C0%AF', `/${'a'.repeat(100_000)}`)
      .map((suffix) => (r: RequestTemplate) => ({ ...r, rawPathSuffix: suffix, kind: `mutation: URL ending ${suffix.slice(0, 12)}` })),
    fc
      .constantFrom<Record<string, string>>(
        { 'x-request-id': 'r'.repeat(20_000) },
        { 'x-request-id': 'r'.repeat(500) },
        { 'content-encoding': 'gzip' },
        { accept: 'application/xml' },
        { 'if-match': '*' },
      )
      .map((headers) => (r: RequestTemplate) => ({ ...r, headers: { ...r.headers, ...headers }, kind: `mutation: header ${Object.keys(headers)[0]}` })),
  );
  return fc.tuple(valid, fc.oneof(...mutations)).map(([request, mutate]) => mutate(request));
}

function bodyObject(request: RequestTemplate): Record<string, unknown> {
  const value = request.body && 'value' in request.body ? request.body.value : undefined;
  return value !== null && typeof value === 'object' && !Array.isArray(value) && !(value instanceof RawJson) ? (value as Record<string, unknown>) : {};
}

function withBody(request: RequestTemplate, value: Record<string, unknown>): RequestTemplate {
  return { ...request, body: { value }, contentType: JSON_TYPE };
}

/** `{ __proto__: … }` in a literal sets the prototype; a parsed JSON body has it as an own key. */
function withOwnKey(value: Record<string, unknown>, key: string, own: unknown): Record<string, unknown> {
  const out = { ...value };
  Object.defineProperty(out, key, { value: own, enumerable: true, writable: true, configurable: true });
  return out;
}

/** Lone surrogates cannot be percent-encoded (encodeURIComponent throws); U+FFFD stands in, as URLSearchParams does. */
function wellFormed(text: string): string {
  return text.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd');
}

function omit(value: Record<string, unknown>, field: string): Record<string, unknown> {
  const { [field]: _dropped, ...rest } = value;
  return rest;
}

/** Binds live values and encodes the request; path segments and query values are always encodable. */
export function toHttp(template: RequestTemplate, path: string, live: LiveValues, baseUrl: string, authorization: string): HttpRequest {
  const bound = live.bind({
    pathParams: template.pathParams,
    query: template.query,
    body: template.body && 'value' in template.body ? template.body.value : undefined,
  }) as {
    pathParams: Record<string, unknown>;
    query: Array<[string, unknown]>;
    body: unknown;
  };
  const filled = path.replace(/\{([^}]+)\}/g, (_, name: string) => encodeURIComponent(wellFormed(queryText(bound.pathParams[name]))));
  const search = new URLSearchParams();
  for (const [name, value] of bound.query) {
    for (const one of Array.isArray(value) ? value : [value]) if (one !== undefined) search.append(name, queryText(one));
  }
  const query = search.size > 0 ? `?${search}` : '';
  const headers: Record<string, string> = { ...template.headers, authorization };
  if (template.contentType) headers['content-type'] = template.contentType;
  const body = template.body === undefined ? undefined : 'text' in template.body ? template.body.text : serialize(bound.body);
  const sendsBody = template.method !== 'GET' && template.method !== 'HEAD';
  return { method: template.method, url: `${baseUrl}${filled}${template.rawPathSuffix ?? ''}${query}`, headers, body: sendsBody ? body : undefined };
}

function queryText(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value;
  return serialize(value);
}

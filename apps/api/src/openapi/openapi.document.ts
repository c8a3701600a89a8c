import { RequestMethod, Type } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { ModulesContainer } from '@nestjs/core';
import { ApiKeyRole } from '@waymark/config';
import { problemSchema } from '@waymark/contract';
import { DomainError } from '@waymark/domain';
import { ANSWERED_WHILE_CLOSING, MAX_URL_LENGTH, buildProblem, toProblem } from '@waymark/http';
import { z } from 'zod';
import { REQUIRED_ROLE } from '../auth/require-role.decorator';
import { API_EXCLUDED, API_OPERATION, ApiErrorCode, ApiOperationOptions, ApiResponse, ApiTag } from './api-operation.decorator';

type Json = Record<string, unknown>;

/** One route as Nest registers it, with what its decorators say. */
export interface RouteDescription {
  /** `GET`, `POST`, ... */
  method: string;
  /** As Nest writes it: `/v1/products/:product/session-specs`. */
  path: string;
  /** Controller and method: `SessionsController.start`. */
  handler: string;
  operation?: ApiOperationOptions;
  /** Why the document leaves the route out, when it does. */
  excluded?: string;
  /** The roles any one of which the route needs (none: public). */
  roles?: readonly ApiKeyRole[];
}

const METHODS: Partial<Record<RequestMethod, string>> = {
  [RequestMethod.GET]: 'GET',
  [RequestMethod.POST]: 'POST',
  [RequestMethod.PUT]: 'PUT',
  [RequestMethod.DELETE]: 'DELETE',
  [RequestMethod.PATCH]: 'PATCH',
  [RequestMethod.OPTIONS]: 'OPTIONS',
  [RequestMethod.HEAD]: 'HEAD',
  [RequestMethod.ALL]: 'ALL',
};

function joinPath(...parts: Array<string | string[] | undefined>): string {
  const segments = parts.flatMap((part) => (Array.isArray(part) ? part.slice(0, 1) : [part])).filter((part): part is string => part !== undefined);
  const joined = segments
    .map((segment) => segment.replace(/^\/+|\/+$/g, ''))
    .filter((segment) => segment.length > 0)
    .join('/');
  return `/${joined}`;
}

/**
 * The routes of these controllers, read from the metadata Nest's router reads
 * (`@Controller` path, `@Get`/`@Post`... path and method), with the contract's and the
 * guard's metadata beside them.
 */
export function routesOf(controllers: Iterable<Type>): RouteDescription[] {
  const routes: RouteDescription[] = [];
  for (const controller of controllers) {
    const base = Reflect.getMetadata(PATH_METADATA, controller) as string | string[] | undefined;
    const classExcluded = Reflect.getMetadata(API_EXCLUDED, controller) as string | undefined;
    const classRoles = Reflect.getMetadata(REQUIRED_ROLE, controller) as readonly ApiKeyRole[] | undefined;
    const prototype = controller.prototype as Record<string, unknown>;
    for (const name of Object.getOwnPropertyNames(prototype)) {
      if (name === 'constructor') continue;
      const descriptor = Object.getOwnPropertyDescriptor(prototype, name);
      const handler = descriptor?.value as object | undefined;
      if (typeof handler !== 'function') continue;
      const path = Reflect.getMetadata(PATH_METADATA, handler) as string | string[] | undefined;
      const method = Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod | undefined;
      if (path === undefined || method === undefined) continue;
      routes.push({
        method: METHODS[method] ?? String(method),
        path: joinPath(base, path),
        handler: `${controller.name}.${name}`,
        operation: Reflect.getMetadata(API_OPERATION, handler) as ApiOperationOptions | undefined,
        excluded: (Reflect.getMetadata(API_EXCLUDED, handler) as string | undefined) ?? classExcluded,
        roles: (Reflect.getMetadata(REQUIRED_ROLE, handler) as readonly ApiKeyRole[] | undefined) ?? classRoles,
      });
    }
  }
  return routes;
}

/** The controllers of a running app: what Nest itself registered routes for. */
export function registeredControllers(modules: ModulesContainer): Type[] {
  const controllers = new Set<Type>();
  for (const module of modules.values()) {
    for (const wrapper of module.controllers.values()) if (wrapper.metatype) controllers.add(wrapper.metatype as Type);
  }
  return [...controllers];
}

/** `/v1/products/:product/session-specs/:tag` → `/v1/products/{product}/session-specs/{tag}`. */
export function openApiPath(path: string): string {
  return path.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
}

const TAGS: Array<{ name: ApiTag; description: string }> = [
  { name: 'sessions', description: 'Start, verify, refresh, revoke and extend sessions, and record activity on their behalf. Secret keys (backends only).' },
  { name: 'journeys', description: "One identifier's sessions and events, in time order. Read keys." },
  { name: 'session specs', description: 'The session specs of a product: tag, identifier selector, lifetimes, data schema. Admin keys.' },
  {
    name: 'analytics',
    description:
      'Read keys: users, journeys, dashboards, paths, funnels, retention. Every query takes tz (an IANA ' +
      'zone name, canonical or alias, known to both the server and its ClickHouse; default UTC) and ' +
      'from/to (ISO instant, or a date in tz; a date `to` includes its day; between 1970-01-01 and ' +
      '2106-02-07); without env, every env the key may read.',
  },
  {
    name: 'users',
    description:
      "One user's data: erase it (admin keys; the key that opens their events destroyed, their sessions and read-model rows removed) " +
      'or export it as NDJSON (admin keys, or read keys of the product). docs/privacy.md.',
  },
  { name: 'operations', description: 'Admin keys: rebuild the read model from the event log (docs/operations.md).' },
  { name: 'health', description: 'Liveness, readiness and Prometheus metrics: public, and answered while the instance drains.' },
  { name: 'docs', description: 'This document.' },
];

const ROLE_WORDS: Record<ApiKeyRole, string> = {
  secret: 'a secret key (`secret` role)',
  read: 'a read key (`read` role)',
  admin: 'an admin key (`admin` role)',
};

/** Codes that are not the domain's: refusals at the HTTP edge and by the framework. */
const EDGE_STATUS: Record<string, number> = {
  NOT_FOUND: 404,
  INVALID_URL: 400,
  REQUEST_TIMEOUT: 408,
  BODY_TOO_LARGE: 413,
  URI_TOO_LONG: 414,
  UNSUPPORTED_MEDIA_TYPE: 415,
  HEADERS_TOO_LARGE: 431,
  INTERNAL: 500,
  SHUTTING_DOWN: 503,
};

/** A domain code's status, from libs/http's one mapping. */
function statusOf(code: string): number {
  return EDGE_STATUS[code] ?? toProblem(new DomainError(code as ApiErrorCode & DomainError['code'], '')).problem.status;
}

/** What every operation of a kind can answer besides its own codes. */
function commonCodes(route: RouteDescription, takesBody: boolean): string[] {
  const codes = ['INVALID_REQUEST', 'INVALID_URL', 'REQUEST_TIMEOUT', 'URI_TOO_LONG', 'HEADERS_TOO_LARGE', 'INTERNAL'];
  if (route.roles) codes.push('UNAUTHORIZED', 'FORBIDDEN', 'RATE_LIMITED');
  if (takesBody) codes.push('BODY_TOO_LARGE', 'UNSUPPORTED_MEDIA_TYPE');
  if (!ANSWERED_WHILE_CLOSING.includes(route.path)) codes.push('SHUTTING_DOWN');
  return codes;
}

/** An example problem per code, as libs/http writes them. */
const EXAMPLE_DETAIL: Record<string, string> = {
  INVALID_REQUEST: 'invalid query: product: Invalid input: expected string, received undefined',
  INVALID_URL: 'the path is not valid percent-encoding',
  REQUEST_TIMEOUT: 'the request was not received in time',
  URI_TOO_LONG: `the request target is longer than ${MAX_URL_LENGTH} characters`,
  HEADERS_TOO_LARGE: 'the request headers are too large',
  INTERNAL: 'an unexpected error occurred; it has been logged',
  UNAUTHORIZED: 'an API key is required: Authorization: Bearer <key>',
  FORBIDDEN: "this API key is not allowed on product 'my-product-tag'",
  RATE_LIMITED: 'too many requests for this API key; retry after 1 s',
  BODY_TOO_LARGE: 'Request body is too large',
  UNSUPPORTED_MEDIA_TYPE: 'must be sent as application/json',
  SHUTTING_DOWN: 'this instance is shutting down; retry on another',
  PRODUCT_NOT_FOUND: "product 'my-product-tag' is not defined",
  NOT_FOUND: 'no replay 01a21b40-5f2e-7c11-9d3a-8e2f5b6c7d10',
};

/** The JSON Schema of a zod schema, without `$schema`; its `examples` are handed back apart. */
function jsonSchemaOf(schema: z.ZodType, io: 'input' | 'output'): { schema: Json; example?: unknown } {
  const { $schema: _dialect, examples, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as Json & { examples?: unknown[] };
  // zod leaves `examples` out of an input schema whose values it transforms: read them from the metadata then.
  const declared = (schema.meta() as { examples?: unknown[] } | undefined)?.examples;
  return { schema: rest, example: (examples ?? declared)?.[0] };
}

function mediaType(schema: z.ZodType, io: 'input' | 'output'): Json {
  const { schema: json, example } = jsonSchemaOf(schema, io);
  return example === undefined ? { schema: json } : { schema: json, example };
}

function queryParameters(schema: z.ZodType): Json[] {
  const { schema: json, example } = jsonSchemaOf(schema, 'input');
  const properties = (json.properties ?? {}) as Record<string, Json>;
  const required = (json.required ?? []) as string[];
  const examples = (example ?? {}) as Json;
  return Object.entries(properties).map(([name, property]) => {
    const { description, ...propertySchema } = property;
    return {
      name,
      in: 'query',
      required: required.includes(name),
      ...(description ? { description } : {}),
      // Repeated parameters (`steps=a&steps=b`) arrive as an array.
      ...(JSON.stringify(propertySchema).includes('"array"') ? { style: 'form', explode: true } : {}),
      schema: propertySchema,
      ...(examples[name] !== undefined ? { example: examples[name] } : {}),
    };
  });
}

const RETRY_AFTER = { description: 'Seconds to wait before trying again', schema: { type: 'integer', minimum: 0 } };

/** Headers libs/http's toProblem sets: Retry-After on 429 and 503, WWW-Authenticate when the key is missing or wrong. */
function problemHeaders(status: number, codes: string[]): Json | undefined {
  if (status === 429 || status === 503) return { 'Retry-After': RETRY_AFTER };
  if (codes.includes('UNAUTHORIZED')) {
    return { 'WWW-Authenticate': { description: 'With UNAUTHORIZED: `Bearer realm="waymark"`', schema: { type: 'string' } } };
  }
  return undefined;
}

function problemResponse(status: number, codes: string[]): Json {
  const example = buildProblem(status, codes[0], EXAMPLE_DETAIL[codes[0]] ?? codes[0].toLowerCase().replace(/_/g, ' '));
  const headers = problemHeaders(status, codes);
  return {
    description: codes.join(', '),
    ...(headers ? { headers } : {}),
    content: {
      'application/problem+json': {
        schema: { allOf: [{ $ref: '#/components/schemas/Problem' }, { properties: { status: { const: status }, code: { enum: codes } } }] },
        example,
      },
    },
  };
}

function successResponse(response: ApiResponse): Json {
  const content: Json = { [response.contentType ?? 'application/json']: mediaType(response.schema, 'output') };
  for (const [type, schema] of Object.entries(response.alternatives ?? {})) content[type] = mediaType(schema, 'output');
  return { description: response.description, content };
}

function operationOf(route: RouteDescription, operation: ApiOperationOptions): Json {
  const takesBody = ['POST', 'PUT', 'PATCH', 'DELETE'].includes(route.method);
  const responses: Record<string, Json> = {};
  for (const [status, response] of Object.entries(operation.responses)) responses[status] = successResponse(response);
  const byStatus = new Map<number, string[]>();
  for (const code of [...commonCodes(route, takesBody), ...(operation.errors ?? [])]) {
    const status = statusOf(code);
    if (String(status) in responses) continue;
    const codes = byStatus.get(status) ?? [];
    if (!codes.includes(code)) codes.push(code);
    byStatus.set(status, codes);
  }
  for (const [status, codes] of [...byStatus.entries()].sort(([a], [b]) => a - b)) responses[String(status)] = problemResponse(status, codes);

  const parameters: Json[] = [];
  for (const [name, param] of Object.entries(operation.params ?? {})) {
    parameters.push({ name, in: 'path', required: true, description: param.description, schema: { type: 'string' }, example: param.example });
  }
  for (const [name, header] of Object.entries(operation.headers ?? {})) {
    parameters.push({ name, in: 'header', required: false, description: header.description, schema: { type: 'string' }, example: header.example });
  }
  if (operation.query) parameters.push(...queryParameters(operation.query));

  const access = route.roles ? `Needs ${route.roles.map((role) => ROLE_WORDS[role]).join(' or ')}.` : 'Public: no key needed.';
  return {
    operationId: operation.operationId,
    tags: [operation.tag],
    summary: operation.summary,
    description: [operation.description, access].filter(Boolean).join('\n\n'),
    // The first role named; `security` lists every one that will do.
    ...(route.roles ? { 'x-required-role': route.roles[0] } : {}),
    // OpenAPI 3.1: for schemes other than OAuth, the array lists the roles the operation
    // needs; requirements side by side are alternatives (any one of them will do).
    security: route.roles ? route.roles.map((role) => ({ apiKey: [role] })) : [],
    ...(parameters.length > 0 ? { parameters } : {}),
    ...(operation.body ? { requestBody: { required: true, content: { 'application/json': mediaType(operation.body, 'input') } } } : {}),
    responses,
  };
}

/**
 * The OpenAPI 3.1 description served at /docs/openapi.json: every documented route Nest
 * registered, its request and answer schemas from the contract (libs/contract), and every
 * status it can answer. A route with neither @ApiOperation nor @ApiExcluded fails here,
 * so none goes undescribed.
 */
export function buildOpenApiDocument(routes: RouteDescription[]): Json {
  const paths: Record<string, Record<string, Json>> = {};
  const ids = new Set<string>();
  for (const route of routes) {
    if (route.excluded) continue;
    if (!route.operation) throw new Error(`${route.method} ${route.path} (${route.handler}) has neither @ApiOperation nor @ApiExcluded`);
    if (ids.has(route.operation.operationId)) throw new Error(`operationId ${route.operation.operationId} is used twice`);
    ids.add(route.operation.operationId);
    const item = (paths[openApiPath(route.path)] ??= {});
    item[route.method.toLowerCase()] = operationOf(route, route.operation);
  }
  const sortedPaths = Object.fromEntries(Object.entries(paths).sort(([a], [b]) => a.localeCompare(b)));
  const { $schema: _dialect, ...problem } = z.toJSONSchema(problemSchema, { io: 'output' }) as Json;
  return {
    openapi: '3.1.0',
    info: {
      title: 'Waymark',
      version: '0.1.0',
      description:
        'Event-sourced session analytics. Start sessions for your users, record what you do on their behalf, ' +
        'read their journeys. Errors are RFC 9457 problem details with a stable `code` and the fields at ' +
        'fault. Bodies are JSON only (415 otherwise), nested at most 64 levels, without `__proto__` or ' +
        '`constructor.prototype` keys; a method a path does not have answers 405 with `Allow`; 503 ' +
        "SHUTTING_DOWN while an instance stops.\n\nThis document is generated from the API's routes and the " +
        'zod schemas that validate its requests (libs/contract); see docs/contract.md.',
      license: { name: 'Proprietary (UNLICENSED)', url: 'https://docs.npmjs.com/cli/v10/configuring-npm/package-json#license' },
      contact: { name: 'Waymark maintainers' },
    },
    servers: [{ url: '/', description: 'The instance serving this document' }],
    security: [{ apiKey: [] }],
    tags: TAGS,
    paths: sortedPaths,
    components: {
      securitySchemes: {
        apiKey: {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'wmk_<id>_<secret>',
          description:
            'An API key (`waymark api-keys create`) with the role each operation names: `secret` for the session ' +
            'methods, `read` for journeys and analytics, `admin` for specs and replays.',
        },
      },
      schemas: { Problem: problem },
    },
  };
}

import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { ModulesContainer } from '@nestjs/core';
import Ajv2020, { ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { RouteDescription, buildOpenApiDocument, openApiPath, registeredControllers, routesOf } from '../../apps/api/src/openapi/openapi.document';

type Json = Record<string, unknown>;

interface ResponseObject {
  content?: Record<string, { schema?: Json }>;
}

/** One answer as the server sent it. */
export interface SentResponse {
  method: string;
  /** The matched route as Fastify writes it (`/v1/products/:product/session-specs`). */
  route: string;
  url: string;
  status: number;
  contentType: string | undefined;
  body: string;
}

/** The route Fastify matched, and whether the app's document leaves it out on purpose. */
function isExcluded(excluded: Set<string>, method: string, route: string): boolean {
  return excluded.has(`${method} ${route}`);
}

/** The document answers are checked against, and the routes it leaves out on purpose (`GET /console/*`). */
export type DocumentSource = () => { document: Json; excluded: Set<string> };

/**
 * Checks every answer of an app started by the tests against the OpenAPI document that
 * app serves (built from its routes and the contract): the status must be one the
 * operation lists, the content type one it lists for that status, and the body valid
 * against that schema (ajv, JSON Schema 2020-12, with formats). Violations are kept,
 * and api-app.ts's close() fails the test file with them. Apps in a child process are
 * checked from the test's side instead (fetch-contract.ts), with the same class.
 */
export class ResponseContract {
  readonly violations: string[] = [];
  /** Answers checked so far. */
  checked = 0;
  private document: Json | undefined;
  private excluded = new Set<string>();
  private readonly ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: true });
  private readonly validators = new Map<string, ValidateFunction>();

  constructor(private readonly source: DocumentSource) {
    addFormats(this.ajv);
  }

  /** For an app in this process: the document built from the controllers it registered. */
  static forApp(app: NestFastifyApplication): ResponseContract {
    return new ResponseContract(() => {
      const routes = routesOf(registeredControllers(app.get(ModulesContainer)));
      return { document: buildOpenApiDocument(routes), excluded: excludedRoutes(routes) };
    });
  }

  /** Registers the onSend hook on an app in this process: call before it listens. */
  install(app: NestFastifyApplication): void {
    const fastify = app.getHttpAdapter().getInstance();
    fastify.addHook('onSend', async (request, reply, payload) => {
      const route = request.routeOptions?.url;
      // Unmatched paths and methods (404, 405) belong to no operation.
      if (route === undefined || (typeof payload !== 'string' && payload !== null && payload !== undefined)) return payload;
      const contentType = reply.getHeader('content-type');
      this.check({
        method: request.method,
        route,
        url: request.url,
        status: reply.statusCode,
        contentType: typeof contentType === 'string' ? contentType : undefined,
        body: typeof payload === 'string' ? payload : '',
      });
      return payload;
    });
  }

  private load(): Json {
    if (!this.document) {
      const { document, excluded } = this.source();
      this.excluded = excluded;
      this.document = document;
    }
    return this.document;
  }

  check(sent: SentResponse): void {
    this.checked += 1;
    let document: Json;
    try {
      document = this.load();
    } catch (error) {
      // A route without @ApiOperation or @ApiExcluded: said once per answer, the answer itself left alone.
      return void this.violations.push(`the OpenAPI document cannot be built: ${(error as Error).message}`);
    }
    const method = sent.method === 'HEAD' ? 'GET' : sent.method;
    if (isExcluded(this.excluded, method, sent.route)) return;
    const where = `${sent.method} ${sent.url.length > 200 ? `${sent.url.slice(0, 200)}…` : sent.url} → ${sent.status}`;
    const paths = document.paths as Record<string, Record<string, { responses: Record<string, ResponseObject> }>>;
    const operation = paths[openApiPath(sent.route)]?.[method.toLowerCase()];
    if (!operation) return void this.violations.push(`${where}: the document has no operation ${method} ${openApiPath(sent.route)}`);
    const response = operation.responses[String(sent.status)];
    if (!response) return void this.violations.push(`${where}: status ${sent.status} is not documented (${Object.keys(operation.responses).join(', ')})`);
    if (!response.content || sent.method === 'HEAD') return;
    const type = sent.contentType?.split(';')[0].trim().toLowerCase();
    const media = type ? response.content[type] : undefined;
    if (!type || !media) {
      return void this.violations.push(`${where}: content type ${sent.contentType} is not documented (${Object.keys(response.content).join(', ')})`);
    }
    if (!media.schema) return;
    let body: unknown = sent.body;
    if (type.endsWith('json')) {
      try {
        body = JSON.parse(sent.body);
      } catch {
        return void this.violations.push(`${where}: the body is not JSON: ${sent.body.slice(0, 200)}`);
      }
    }
    const key = `${method} ${sent.route} ${sent.status} ${type}`;
    let validate = this.validators.get(key);
    if (!validate) {
      validate = this.ajv.compile(inlineRefs(document, media.schema) as Json);
      this.validators.set(key, validate);
    }
    if (!validate(body)) {
      const errors = (validate.errors ?? []).slice(0, 5).map((error) => `${error.instancePath || '/'} ${error.message} ${JSON.stringify(error.params)}`);
      this.violations.push(`${where}: the body does not match the documented schema: ${errors.join('; ')}\n    body: ${JSON.stringify(body).slice(0, 400)}`);
    }
  }

  /** Throws with every violation seen, once. */
  assertClean(): void {
    if (this.violations.length === 0) return;
    const unique = [...new Set(this.violations)];
    this.violations.length = 0;
    throw new Error(`${unique.length} response(s) the OpenAPI document does not describe:\n  ${unique.join('\n  ')}`);
  }
}

/** `GET /console/*`: the routes a document leaves out on purpose, as check() looks them up. */
export function excludedRoutes(routes: readonly RouteDescription[]): Set<string> {
  return new Set(routes.filter((route) => route.excluded).map((route) => `${route.method} ${route.path}`));
}

/** Replaces `#/components/...` references with what they point at. */
function inlineRefs(document: Json, schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map((item) => inlineRefs(document, item));
  if (schema === null || typeof schema !== 'object') return schema;
  const object = schema as Json;
  if (typeof object.$ref === 'string' && object.$ref.startsWith('#/')) {
    const target = object.$ref
      .slice(2)
      .split('/')
      .reduce<unknown>((node, key) => (node as Json)[key.replace(/~1/g, '/').replace(/~0/g, '~')], document);
    return inlineRefs(document, target);
  }
  return Object.fromEntries(Object.entries(object).map(([key, value]) => [key, inlineRefs(document, value)]));
}

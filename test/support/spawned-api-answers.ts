import { apiRoutes } from '../../apps/api/src/openapi/api-document';
import { RouteDescription, buildOpenApiDocument } from '../../apps/api/src/openapi/openapi.document';
import { AnswerChecker } from './fetch-contract';
import { ResponseContract, excludedRoutes } from './response-contract';

let routes: RouteDescription[] | undefined;
const described = () => (routes ??= apiRoutes());

let patterns: { method: string; path: string; pattern: RegExp; parameters: number }[] | undefined;

/** The route that serves `method` `pathname`: static segments before parameters, as Fastify chooses. */
function routeOf(method: string, pathname: string): string | undefined {
  patterns ??= described()
    .map((route) => ({
      method: route.method,
      path: route.path,
      pattern: new RegExp(
        `^${route.path
          .replace(/[.]/g, '\\.')
          .replace(/:[A-Za-z0-9_]+/g, '[^/]+')
          .replace(/\*/g, '.*')}$`,
      ),
      parameters: (route.path.match(/:|\*/g) ?? []).length,
    }))
    .sort((a, b) => a.parameters - b.parameters);
  const lookup = method === 'HEAD' ? 'GET' : method;
  return patterns.find((route) => route.method === lookup && route.pattern.test(pathname))?.path;
}

/** Checks answers of the built API (a child process) against the document the shipped app serves. */
export const spawnedApiAnswers: AnswerChecker = {
  contract: new ResponseContract(() => ({ document: buildOpenApiDocument(described()), excluded: excludedRoutes(described()) })),
  routeOf,
};

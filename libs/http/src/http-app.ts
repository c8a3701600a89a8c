import { Logger } from '@nestjs/common';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { requestContext } from '@waymark/logging';
import { FastifyReply } from 'fastify';
import { MAX_URL_LENGTH, shuttingDownProblem, uriTooLongProblem } from './framework-refusals';
import { PROBLEM_CONTENT_TYPE, ProblemDetails, UNAVAILABLE_RETRY_AFTER_SECONDS, buildProblem } from './problem-details';
import { ProblemDetailsFilter } from './problem-details.filter';
import { RouteMethods } from './route-methods';
import { ShutdownGate } from './shutdown-gate';

export { HttpOptions, createFastifyAdapter } from './fastify-adapter';

/**
 * Answered as usual while the instance shuts down: health says why it is not ready
 * (`shutting_down`) and the metrics show it, which a 503 SHUTTING_DOWN in their place
 * would hide from the load balancer and Prometheus.
 */
export const ANSWERED_WHILE_CLOSING: readonly string[] = ['/health/live', '/health/ready', '/metrics'];

export interface HttpAppOptions {
  /** Refuse new requests from the moment shutdown begins, not only once the server closes. */
  shutdown?: ShutdownGate;
  /** Paths still answered while closing (default ANSWERED_WHILE_CLOSING). */
  answeredWhileClosing?: readonly string[];
}

/**
 * Wires what every Waymark HTTP app shares: the request id (header in, header out,
 * async context for logs), access logging, and problem+json for every error. Nest
 * routes Fastify's own refusals (bad JSON, body too large, media type) through the same
 * filter; the ones it does not see (wrong method, long URL, shutting down) are answered
 * here, before any route runs. Shutting down: from the moment `options.shutdown` says
 * so (else from when the server starts to close), every new request but health and
 * metrics is answered 503 SHUTTING_DOWN with Retry-After and `Connection: close`;
 * requests already running finish.
 */
export function configureHttpApp(app: NestFastifyApplication, options: HttpAppOptions = {}): void {
  const logger = new Logger('http');
  const fastify = app.getHttpAdapter().getInstance();
  const routes = new RouteMethods();
  const answeredWhileClosing = new Set(options.answeredWhileClosing ?? ANSWERED_WHILE_CLOSING);
  let serverClosing = false;
  const closing = () => serverClosing || options.shutdown?.closing === true;

  // Routes are registered when the app initialises, after this: every one passes here.
  fastify.addHook('onRoute', (route) => routes.add(route.method, route.url ?? route.path));
  // Fastify's own 503 while closing is off (createFastifyAdapter); this one is problem+json.
  // The server closing is the backstop for an app without a ShutdownGate.
  fastify.addHook('preClose', (done) => {
    serverClosing = true;
    done();
  });

  fastify.addHook('onRequest', (request, reply, done) => {
    void reply.header('x-request-id', request.id);
    if (closing() && !answeredWhileClosing.has(request.url.split('?')[0])) {
      void reply.header('connection', 'close').header('retry-after', String(UNAVAILABLE_RETRY_AFTER_SECONDS));
      return refuse(reply, shuttingDownProblem(), request.url);
    }
    if (request.url.length > MAX_URL_LENGTH) return refuse(reply, uriTooLongProblem(), request.url);
    if (request.is404) {
      const allowed = routes.allowedAt(request.url);
      if (allowed.length > 0) {
        void reply.header('allow', allowed.join(', '));
        return refuse(reply, buildProblem(405, 'METHOD_NOT_ALLOWED', `${request.method} is not allowed here; use ${allowed.join(', ')}`), request.url);
      }
    }
    requestContext.run({ requestId: request.id }, done);
  });

  fastify.addHook('onResponse', (request, reply, done) => {
    const entry = {
      method: request.method,
      route: request.routeOptions.url ?? 'unmatched',
      status: reply.statusCode,
      ms: Math.round(reply.elapsedTime * 100) / 100,
    };
    if (reply.statusCode >= 500) logger.error(entry);
    else if (reply.statusCode >= 400) logger.log(entry);
    else logger.debug(entry);
    done();
  });

  app.useGlobalFilters(new ProblemDetailsFilter());
}

function refuse(reply: FastifyReply, problem: ProblemDetails, url: string): void {
  void reply
    .status(problem.status)
    .header('content-type', PROBLEM_CONTENT_TYPE)
    .send({ ...problem, instance: url.length > MAX_URL_LENGTH ? undefined : url.split('?')[0] });
}

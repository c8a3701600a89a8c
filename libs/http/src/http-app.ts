import { Logger } from '@nestjs/common';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { requestContext } from '@waymark/logging';
import { ProblemDetailsFilter } from './problem-details.filter';
import { requestIdFor } from './request-id';

export interface HttpOptions {
  bodyLimitBytes: number;
}

export function createFastifyAdapter(options: HttpOptions): FastifyAdapter {
  return new FastifyAdapter({
    bodyLimit: options.bodyLimitBytes,
    genReqId: requestIdFor,
    logger: false,
    // The HTTP server must not outlive shutdown by keeping idle keep-alive sockets open.
    forceCloseConnections: 'idle',
  });
}

/**
 * Wires what every Waymark HTTP app shares: the request id (header in, header out,
 * async context for logs), access logging, and problem+json for every error. Nest
 * routes Fastify's own refusals (bad JSON, body too large) through the same filter.
 */
export function configureHttpApp(app: NestFastifyApplication): void {
  const logger = new Logger('http');
  const fastify = app.getHttpAdapter().getInstance();

  fastify.addHook('onRequest', (request, reply, done) => {
    void reply.header('x-request-id', request.id);
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

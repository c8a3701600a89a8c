import { FastifyAdapter } from '@nestjs/platform-fastify';
import { DomainError } from '@waymark/domain';
import { answerClientError, sendRouterRefusal } from './framework-refusals';
import { parseJsonBody } from './json-body';
import { requestIdFor } from './request-id';

export interface HttpOptions {
  bodyLimitBytes: number;
}

/**
 * Nest's Fastify adapter with one body format: JSON, parsed by `parseJsonBody` (depth
 * checked on the text first, prototype keys refused by name). Nest would also register a
 * form-encoded parser and Fastify keeps a text one; the API takes neither, so such
 * bodies are answered 415 instead of reaching a schema as something else.
 */
class JsonOnlyFastifyAdapter extends FastifyAdapter {
  override registerParserMiddleware(prefix?: string, rawBody?: boolean): void {
    super.registerParserMiddleware(prefix, rawBody);
    const fastify = this.getInstance();
    fastify.removeAllContentTypeParsers();
    fastify.addContentTypeParser('application/json', { parseAs: 'string', bodyLimit: fastify.initialConfig.bodyLimit }, (_request, body, done) => {
      try {
        done(null, parseJsonBody(body as string));
      } catch (error) {
        done(error as DomainError, undefined);
      }
    });
  }
}

export function createFastifyAdapter(options: HttpOptions): FastifyAdapter {
  return new JsonOnlyFastifyAdapter({
    bodyLimit: options.bodyLimitBytes,
    genReqId: requestIdFor,
    logger: false,
    // The HTTP server must not outlive shutdown by keeping idle keep-alive sockets open.
    forceCloseConnections: 'idle',
    // Fastify's own answers (bad URL, while closing, from Node's parser) would be its JSON
    // shape; configureHttpApp and these handlers answer them as problem+json instead.
    return503OnClosing: false,
    frameworkErrors: sendRouterRefusal,
    clientErrorHandler: answerClientError,
  });
}

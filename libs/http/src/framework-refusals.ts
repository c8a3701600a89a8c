import { STATUS_CODES } from 'node:http';
import { Socket } from 'node:net';
import { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { PROBLEM_CONTENT_TYPE, ProblemDetails, buildProblem } from './problem-details';

/**
 * The longest request target (path and query) served. RFC 9110 asks servers to take at
 * least 8000 octets; Node refuses a request line and headers past 16 KiB together, and
 * would answer that 431 whatever was long, so a long URL is caught here first and
 * answered 414, which tells the caller what to shorten.
 */
export const MAX_URL_LENGTH = 8192;

/**
 * Fastify's own refusals before a route is known (the router's `frameworkErrors`), as
 * problems with our stable codes instead of Fastify's JSON shape.
 */
export function problemForRouterError(error: FastifyError): ProblemDetails {
  switch (error.code) {
    case 'FST_ERR_BAD_URL':
      return buildProblem(400, 'INVALID_URL', 'the path is not valid percent-encoding', [{ field: 'url', message: 'is not valid percent-encoding' }]);
    case 'FST_ERR_MAX_PARAM_LENGTH':
      return buildProblem(414, 'URI_TOO_LONG', 'a path segment is too long', [{ field: 'url', message: 'a path segment is too long' }]);
    default:
      return buildProblem(400, 'INVALID_REQUEST', 'the request could not be routed');
  }
}

export function sendRouterRefusal(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  const problem = problemForRouterError(error);
  // onRequest hooks do not run for these, so the request id goes out here.
  void reply
    .status(problem.status)
    .header('x-request-id', request.id)
    .header('content-type', PROBLEM_CONTENT_TYPE)
    .send({ ...problem, instance: request.url.split('?')[0] });
}

export function uriTooLongProblem(): ProblemDetails {
  return buildProblem(414, 'URI_TOO_LONG', `the request target is longer than ${MAX_URL_LENGTH} characters`, [
    { field: 'url', message: `is longer than ${MAX_URL_LENGTH} characters` },
  ]);
}

export function shuttingDownProblem(): ProblemDetails {
  return buildProblem(503, 'SHUTTING_DOWN', 'this instance is shutting down; retry, another instance will answer');
}

/** Node's HTTP method tokens: a packet starting like this is a request line. */
const REQUEST_LINE_START = /^[A-Z]{3,10} \S/;

/**
 * What Node's HTTP parser refuses before Fastify sees a request: headers too large,
 * a malformed request, a request that took too long to arrive. Answered on the raw
 * socket, since there is no request object, but as problem+json like everything else.
 */
/** Node's `clientError`: `rawPacket` is the chunk the parser was reading when it gave up. */
export type ClientError = Error & { code?: string; rawPacket?: unknown };

export function problemForClientError(error: ClientError): ProblemDetails {
  if (error.code === 'ERR_HTTP_REQUEST_TIMEOUT') {
    return buildProblem(408, 'REQUEST_TIMEOUT', 'the request did not arrive in time');
  }
  if (error.code === 'HPE_HEADER_OVERFLOW') {
    // Node counts the request line and headers together; when the packet that overflowed
    // starts with a request line longer than we serve (or one that never ended), it was
    // the URL that was too long.
    const packet = Buffer.isBuffer(error.rawPacket) ? error.rawPacket.toString('latin1', 0, 64 * 1024) : '';
    const lineEnd = packet.indexOf('\r\n');
    if (REQUEST_LINE_START.test(packet) && (lineEnd === -1 || lineEnd > MAX_URL_LENGTH)) return uriTooLongProblem();
    return buildProblem(431, 'HEADERS_TOO_LARGE', 'the request headers are too large', [{ field: 'headers', message: 'are too large' }]);
  }
  return buildProblem(400, 'MALFORMED_REQUEST', 'the request is not well-formed HTTP');
}

/** Fastify's `clientErrorHandler`: answers and closes, like Fastify's default, but in problem+json. */
export function answerClientError(error: ClientError, socket: Socket): void {
  // A reset connection has no one to answer.
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  if (socket.writable) {
    const problem = problemForClientError(error);
    const body = JSON.stringify(problem);
    socket.write(
      `HTTP/1.1 ${problem.status} ${STATUS_CODES[problem.status]}\r\n` +
        `Content-Type: ${PROBLEM_CONTENT_TYPE}\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\n` +
        'Connection: close\r\n\r\n' +
        body,
    );
  }
  socket.destroy(error);
}

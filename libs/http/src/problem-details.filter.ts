import { ArgumentsHost, Catch, ExceptionFilter, Logger, LoggerService } from '@nestjs/common';
import { LOG_REPEAT_INTERVAL_MS, LogThrottle, ThrottledLogger } from '@waymark/logging';
import { FastifyReply, FastifyRequest } from 'fastify';
import { PROBLEM_CONTENT_TYPE, toProblem } from './problem-details';

/** Answers every error a route raises as `application/problem+json`. */
@Catch()
export class ProblemDetailsFilter implements ExceptionFilter {
  // While a store is down every request fails the same way: one full stack per kind of
  // error, then a line per interval with the count, instead of a stack per request.
  private readonly logger = new ThrottledLogger(new Logger('http'), new LogThrottle({ intervalMs: LOG_REPEAT_INTERVAL_MS }), 'http');

  catch(error: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    sendProblem(error, http.getRequest<FastifyRequest>(), http.getResponse<FastifyReply>(), this.logger);
  }
}

export function sendProblem(error: unknown, request: FastifyRequest, reply: FastifyReply, logger: LoggerService): void {
  const { problem, internal, headers } = toProblem(error);
  if (internal) {
    logger.error(error instanceof Error ? error : new Error(String(error)));
  }
  if (headers) void reply.headers(headers);
  void reply
    .status(problem.status)
    .header('content-type', PROBLEM_CONTENT_TYPE)
    .send({ ...problem, instance: request.url.split('?')[0] });
}

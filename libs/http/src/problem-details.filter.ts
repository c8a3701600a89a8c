import { ArgumentsHost, Catch, ExceptionFilter, Logger } from '@nestjs/common';
import { FastifyReply, FastifyRequest } from 'fastify';
import { PROBLEM_CONTENT_TYPE, toProblem } from './problem-details';

/** Answers every error a route raises as `application/problem+json`. */
@Catch()
export class ProblemDetailsFilter implements ExceptionFilter {
  private readonly logger = new Logger('http');

  catch(error: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    sendProblem(error, http.getRequest<FastifyRequest>(), http.getResponse<FastifyReply>(), this.logger);
  }
}

export function sendProblem(error: unknown, request: FastifyRequest, reply: FastifyReply, logger: Logger): void {
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

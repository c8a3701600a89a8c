import { BadRequestException, HttpException, NotFoundException } from '@nestjs/common';
import { DomainError } from '@waymark/domain';
import { toProblem } from './problem-details';

describe('toProblem', () => {
  it('maps a domain error to its status, keeping the code and the fields at fault', () => {
    const { problem, internal } = toProblem(DomainError.forField('ENV_NOT_FOUND', 'env', "env 'x' is not defined"));
    expect(internal).toBe(false);
    expect(problem).toEqual({
      type: 'urn:waymark:problem:env-not-found',
      title: 'Unprocessable Content',
      status: 422,
      detail: "env 'x' is not defined",
      code: 'ENV_NOT_FOUND',
      errors: [{ field: 'env', message: "env 'x' is not defined" }],
    });
  });

  it('names the body for the framework refusals raised before a route runs', () => {
    expect(toProblem(new HttpException('Request body is too large', 413)).problem).toMatchObject({
      status: 413,
      code: 'BODY_TOO_LARGE',
      errors: [{ field: 'body' }],
    });
    expect(toProblem(new BadRequestException('Body is not valid JSON')).problem).toMatchObject({ status: 400, code: 'INVALID_REQUEST' });
  });

  it('answers an unknown route as not found', () => {
    expect(toProblem(new NotFoundException('Cannot GET /x')).problem).toMatchObject({ status: 404, code: 'NOT_FOUND' });
  });

  it('hides the details of unexpected errors and flags them for logging', () => {
    const { problem, internal } = toProblem(new Error('connection string postgres://secret@db'));
    expect(internal).toBe(true);
    expect(problem.status).toBe(500);
    expect(JSON.stringify(problem)).not.toContain('secret');
  });
});

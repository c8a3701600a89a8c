import { ArgumentMetadata, PipeTransform } from '@nestjs/common';
import { DomainError } from '@waymark/domain';
import { z } from 'zod';

/**
 * Validates a body or query against a zod schema. Every issue becomes a field error
 * with a dotted path (`data.userId`), so the caller sees exactly what to fix.
 */
export class ZodValidationPipe<T extends z.ZodType> implements PipeTransform<unknown, z.infer<T>> {
  constructor(
    private readonly schema: T,
    private readonly root: 'body' | 'query' = 'body',
  ) {}

  transform(value: unknown): z.infer<T> {
    const result = this.schema.safeParse(value);
    if (result.success) return result.data;
    const errors = result.error.issues.flatMap((issue) => {
      const path = issue.path.map(String);
      // An unexpected key is reported on the key itself, not on the object holding it.
      if (issue.code === 'unrecognized_keys') {
        return issue.keys.map((key) => ({ field: [...path, key].join('.'), message: 'is not a known field' }));
      }
      return [{ field: path.length > 0 ? path.join('.') : this.root, message: issue.message }];
    });
    const summary = errors.map((error) => `${error.field}: ${error.message}`).join('; ');
    throw new DomainError('INVALID_REQUEST', `invalid ${this.root}: ${summary}`, errors);
  }
}

/**
 * The route-level form: validates the whole body and the whole query against the
 * schemas a route declares (`@ApiOperation({ body, query })` in the API), and leaves
 * every other argument (path parameters, single query keys, headers) as it is.
 */
export class RouteValidationPipe implements PipeTransform {
  private readonly body?: ZodValidationPipe<z.ZodType>;
  private readonly query?: ZodValidationPipe<z.ZodType>;

  constructor(schemas: { body?: z.ZodType; query?: z.ZodType }) {
    if (schemas.body) this.body = new ZodValidationPipe(schemas.body, 'body');
    if (schemas.query) this.query = new ZodValidationPipe(schemas.query, 'query');
  }

  transform(value: unknown, metadata: ArgumentMetadata): unknown {
    if (metadata.data !== undefined) return value;
    if (metadata.type === 'body' && this.body) return this.body.transform(value);
    if (metadata.type === 'query' && this.query) return this.query.transform(value);
    return value;
  }
}

import { PipeTransform } from '@nestjs/common';
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

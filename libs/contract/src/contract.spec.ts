import { z } from 'zod';
import * as contract from './index';

/** Every schema of the contract with examples in its metadata: the document shows them. */
const withExamples = Object.entries(contract).flatMap(([name, value]) => {
  if (!(value instanceof z.ZodType)) return [];
  const examples = (value.meta() as { examples?: unknown[] } | undefined)?.examples ?? [];
  return examples.map((example, index) => [`${name} #${index + 1}`, value, example] as const);
});

describe('the API contract', () => {
  it('has examples for the requests and answers it describes', () => {
    expect(withExamples.length).toBeGreaterThan(40);
  });

  it.each(withExamples)('%s: its example passes its own schema (refinements included)', (_name, schema, example) => {
    const result = schema.safeParse(example);
    expect(result.success ? [] : result.error.issues).toEqual([]);
  });

  it('states in JSON Schema the rules its refinements check', () => {
    const revoke = z.toJSONSchema(contract.revokeSessionsBodySchema, { io: 'input' }) as { oneOf?: unknown[] };
    expect(revoke.oneOf).toHaveLength(2);
    // A body the refinement refuses is refused by zod, whatever the document says.
    expect(contract.revokeSessionsBodySchema.safeParse({ product: 'p', env: 'e', tag: 't' }).success).toBe(false);
    expect(contract.recordActivityBodySchema.safeParse({ product: 'p', env: 'e', tag: 't', token: 'x' }).success).toBe(false);
    expect(contract.funnelQuerySchema.safeParse({ product: 'p', tag: 't', steps: 'only-one' }).success).toBe(false);
  });
});

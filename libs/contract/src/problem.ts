import { z } from 'zod';

/** RFC 9457 problem details as Waymark answers them: a stable `code` and the fields at fault. */
export const problemSchema = z.object({
  type: z.string().describe('urn:waymark:problem:<code in kebab case>'),
  title: z.string(),
  status: z.int().min(400).max(599),
  detail: z.string(),
  code: z.string().describe('Stable: clients branch on it, never on the detail'),
  errors: z.array(z.object({ field: z.string(), message: z.string() })).optional(),
  instance: z.string().optional(),
});
export type Problem = z.infer<typeof problemSchema>;

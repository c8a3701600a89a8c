import { NOT_READY_CODES } from '@waymark/metrics';
import { z } from 'zod';

export const liveSchema = z.object({ status: z.literal('ok') }).meta({ examples: [{ status: 'ok' }] });

/** One dependency as measured: `ok`, and what was seen (lag, failures, ...). */
const checkSchema = z.looseObject({ ok: z.boolean(), detail: z.string().optional() });

/** 200 when ready; 503 with the reasons when not (docs/operations.md, "Readiness reasons"). */
export const readinessSchema = z
  .object({
    status: z.enum(['ok', 'unavailable']),
    reasons: z.array(z.object({ code: z.enum(NOT_READY_CODES), detail: z.string() })),
    checks: z.record(z.string(), checkSchema),
  })
  .meta({ examples: [{ status: 'ok', reasons: [], checks: { eventLog: { ok: true, lag: 0 }, clickhouse: { ok: true } } }] });
export type Readiness = z.infer<typeof readinessSchema>;

/** Prometheus text exposition. */
export const metricsTextSchema = z
  .string()
  .meta({ examples: ['# HELP waymark_http_requests_total HTTP requests answered\n# TYPE waymark_http_requests_total counter\n'] });

/** The OpenAPI document itself. */
export const openApiDocumentSchema = z
  .looseObject({ openapi: z.string(), info: z.looseObject({}), paths: z.looseObject({}) })
  .meta({ examples: [{ openapi: '3.1.0', info: { title: 'Waymark', version: '0.1.0' }, paths: {} }] });

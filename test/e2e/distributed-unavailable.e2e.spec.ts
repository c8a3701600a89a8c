import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { KafkaEventLog } from '@waymark/event-log';
import { AddressInfo } from 'node:net';
import { createApiApp } from '../../apps/api/src/bootstrap';
import { loadApiConfig } from '../../apps/api/src/config/api.config';
import { TEST_KEY } from '../support/api-app';
import { DistributedStack, TEST_PARTITIONS, TEST_TOPIC, startDistributedStack } from '../support/distributed-stack';
import { kafkaTestOptions, recordingLogger } from '../support/kafka-broker';
import { makeTempDir } from '../support/temp-dir';

const scope = { product: 'my-product-tag', env: 'snd', tag: 'session-tag' };

interface Answer {
  status: number;
  retryAfter: string | null;
  contentType: string | null;
  body: { code?: string; [key: string]: unknown };
}

/**
 * Every session call while Redis or Kafka is down answers 503 problem+json with
 * Retry-After (as start-session already did, without the header), never a 500, and
 * leaves the log and the session as they were.
 */
/** Kafka down: each append gives up within this (KAFKA_APPEND_TIMEOUT_MS), so the 503s come quickly. */
const APPEND_TIMEOUT_MS = 4000;

describe.each(['redis', 'kafka'] as const)('distributed mode with %s down', (down) => {
  let stack: DistributedStack;
  let app: NestFastifyApplication;
  let baseUrl: string;
  const dir = makeTempDir(`unavailable-${down}`);

  beforeAll(async () => {
    stack = await startDistributedStack();
    app = await createApiApp(
      loadApiConfig({
        ...stack.env,
        KAFKA_APPEND_TIMEOUT_MS: String(APPEND_TIMEOUT_MS),
        DATA_DIR: dir.path,
        PORT: '0',
        HOST: '127.0.0.1',
        LOG_LEVEL: 'silent',
        NODE_ENV: 'test',
        WAYMARK_BOOTSTRAP_KEY: TEST_KEY,
        TOKEN_KEYS_FILE: `${dir.path}/token-keys.json`,
      }),
    );
    await app.listen({ port: 0, host: '127.0.0.1' });
    baseUrl = `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await app?.close();
    await stack?.stop();
    dir.remove();
  });

  async function call(method: 'GET' | 'POST', path: string, body?: unknown): Promise<Answer> {
    const response = await fetch(`${baseUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${TEST_KEY}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    return {
      status: response.status,
      retryAfter: response.headers.get('retry-after'),
      contentType: response.headers.get('content-type'),
      body: (await response.json()) as Answer['body'],
    };
  }

  async function recordsInTopic(): Promise<number> {
    const log = new KafkaEventLog(kafkaTestOptions(stack.broker.brokers, TEST_TOPIC, TEST_PARTITIONS), recordingLogger());
    try {
      return (await log.describeLag('nobody')).total;
    } finally {
      await log.close();
    }
  }

  it('answers 503 with Retry-After to every command, and changes nothing', async () => {
    const started = await call('POST', '/v1/sessions', { ...scope, data: { userId: `unavailable-${down}` } });
    expect(started.status).toBe(201);
    const { sessionId, refreshToken } = started.body as { sessionId: string; token: string; refreshToken: string };
    // The revoke and the activity use sessions of their own: a revoke holds its session
    // revoked in Redis for as long as its append is retried (docs/redis.md, "A revoke
    // that fails"), so a refresh, extend or activity racing it on the same session may
    // rightly be refused as revoked. This test is about the 503s, not that window.
    const startOther = async (suffix: string) => {
      const answer = await call('POST', '/v1/sessions', { ...scope, data: { userId: `unavailable-${down}-${suffix}` } });
      expect(answer.status).toBe(201);
      return answer.body as { sessionId: string; token: string };
    };
    const revoked = await startOther('revoke');
    const { token } = await startOther('activity');
    const recordsBefore = await recordsInTopic();

    if (down === 'redis') await stack.redis.stop();
    else await stack.broker.stop();

    const askedAt = Date.now();
    const answers = await Promise.all([
      call('POST', '/v1/sessions', { ...scope, data: { userId: `unavailable-${down}-2` } }),
      call('POST', '/v1/sessions/refresh', { ...scope, refreshToken }),
      call('POST', '/v1/sessions/revoke', { ...scope, sessionId: revoked.sessionId }),
      call('POST', '/v1/sessions/extend', { ...scope, sessionId }),
      // Listing reads Redis only; activity goes to the log only.
      ...(down === 'redis'
        ? [call('GET', `/v1/sessions/active?product=${scope.product}&env=${scope.env}&tag=${scope.tag}&identifier=unavailable-${down}`)]
        : [call('POST', '/v1/sessions/activity', { ...scope, token, record: { name: 'checkout', status: 'ok' } })]),
    ]);
    // Not kafkajs's unbounded retries of an idempotent producer: the append's own deadline.
    expect(Date.now() - askedAt).toBeLessThan(APPEND_TIMEOUT_MS + 3000);
    for (const answer of answers) {
      expect({ status: answer.status, retryAfter: answer.retryAfter, contentType: answer.contentType, code: answer.body.code }).toEqual({
        status: 503,
        retryAfter: '5',
        contentType: expect.stringContaining('application/problem+json'),
        code: expect.stringMatching(/^(CREATE_FAILED|STORE_UNAVAILABLE)$/),
      });
    }

    if (down === 'redis') {
      // Every failed command stopped before its append: the log holds what it held.
      expect(await recordsInTopic()).toBe(recordsBefore);
    } else {
      // The failed appends were compensated in Redis: the session is as it was, and can still be refreshed once.
      const listed = await call('GET', `/v1/sessions/active?product=${scope.product}&env=${scope.env}&tag=${scope.tag}&identifier=unavailable-${down}`);
      expect(listed.status).toBe(200);
      expect(JSON.stringify(listed.body)).toContain(sessionId);
    }
  }, 90_000);
});

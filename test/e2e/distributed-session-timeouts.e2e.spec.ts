import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Redis } from 'ioredis';
import { AddressInfo } from 'node:net';
import { createApiApp } from '../../apps/api/src/bootstrap';
import { loadApiConfig } from '../../apps/api/src/config/api.config';
import { USE_FLUSH_INTERVAL_MS } from '../../apps/api/src/sessions/session-use-tracker';
import { TEST_KEY, postJson, readJson } from '../support/api-app';
import { DistributedStack, startDistributedStack } from '../support/distributed-stack';
import { ManualClock } from '../support/manual-clock';
import { makeTempDir } from '../support/temp-dir';
import { waitFor } from '../support/wait-for';

const MINUTE = 60_000;
const scope = { product: 'my-product-tag', env: 'snd', tag: 'idle-across' };
const auth = { authorization: `Bearer ${TEST_KEY}` };

/**
 * Idle time across two API instances on one Redis, one controllable clock: a use seen by
 * one instance reaches the store in its next batch, and the other instance, whose own
 * view says idle, reads the store before refusing.
 */
describe('distributed mode: idle timeout across instances', () => {
  const time = new ManualClock();
  let stack: DistributedStack;
  let redis: Redis;
  const apis: NestFastifyApplication[] = [];
  const bases: string[] = [];
  const dirs = [makeTempDir('idle-a'), makeTempDir('idle-b')];

  beforeAll(async () => {
    stack = await startDistributedStack();
    redis = new Redis(stack.env.REDIS_URL);
    for (const dir of dirs) {
      const config = loadApiConfig({
        ...stack.env,
        DATA_DIR: dir.path,
        PORT: '0',
        HOST: '127.0.0.1',
        LOG_LEVEL: 'silent',
        NODE_ENV: 'test',
        WAYMARK_BOOTSTRAP_KEY: TEST_KEY,
        SPEC_RELOAD_MS: '200',
      });
      const app = await createApiApp(config, { clock: time.clock });
      await app.listen({ port: 0, host: '127.0.0.1' });
      apis.push(app);
      bases.push(`http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}`);
    }
    const spec = {
      tag: scope.tag,
      name: 'Idle after 30 minutes',
      selector: 'userId',
      expiry: { value: 1, unit: 'hours' },
      refreshExpiry: { value: 7, unit: 'days' },
      idleTimeout: { value: 30, unit: 'minutes' },
    };
    expect((await postJson(`${bases[0]}/v1/products/${scope.product}/session-specs`, spec, auth)).status).toBe(201);
    // B learns of the spec with its next reload.
    await waitFor(
      () => postJson(`${bases[1]}/v1/sessions/verify`, { ...scope, token: 'x' }, auth),
      (response) => response.status === 200,
      5_000,
      100,
    );
  });

  afterAll(async () => {
    for (const app of apis) await app.close();
    redis?.disconnect();
    await stack?.stop();
    for (const dir of dirs) dir.remove();
  });

  const [A, B] = [0, 1];
  async function call(instance: number, path: string, body: Record<string, unknown>): Promise<{ status: number; body: Record<string, unknown> }> {
    const response = await postJson(`${bases[instance]}${path}`, { ...scope, ...body }, auth);
    return { status: response.status, body: await readJson(response) };
  }

  it('a verify on B keeps the session alive for A: A reads the store when its own view says idle', async () => {
    const used = (await call(A, '/v1/sessions', { data: { userId: 'used-on-b' } })).body;
    const unused = (await call(A, '/v1/sessions', { data: { userId: 'unused' } })).body;

    time.advance(20 * MINUTE);
    expect((await call(B, '/v1/sessions/verify', { token: used.token })).body).toMatchObject({ valid: true });
    // B writes its uses in batches: no write per verify, one within the interval.
    await waitFor(
      () => redis.keys(`*:used:${String(used.sessionId)}`),
      (keys) => keys.length === 1,
      USE_FLUSH_INTERVAL_MS * 2,
      100,
    );

    // 40 minutes after the start: A's own view (the token's issue, 40 min ago) says idle.
    time.advance(20 * MINUTE);
    expect((await call(A, '/v1/sessions/verify', { token: used.token })).body).toMatchObject({ valid: true });
    expect((await call(A, '/v1/sessions/verify', { token: unused.token })).body).toEqual({ valid: false, reason: 'idle' });
    expect((await call(A, '/v1/sessions/refresh', { refreshToken: used.refreshToken })).status).toBe(200);
    const refusal = await call(A, '/v1/sessions/refresh', { refreshToken: unused.refreshToken });
    expect(refusal).toMatchObject({ status: 401, body: { code: 'SESSION_IDLE_TIMEOUT' } });
  });
});

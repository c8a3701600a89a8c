import Redis from 'ioredis';
import { RedisTestServer, startRedisServer } from '../../../../test/support/redis-server';
import { RedisDpopReplayGuard } from './redis-dpop-replay-guard';

describe('RedisDpopReplayGuard (real Redis)', () => {
  let server: RedisTestServer;
  const clients: Redis[] = [];
  const client = () => {
    const redis = new Redis(server.url, { maxRetriesPerRequest: 1 });
    clients.push(redis);
    return redis;
  };

  beforeAll(async () => {
    server = await startRedisServer();
  });

  afterAll(async () => {
    for (const redis of clients) redis.disconnect();
    await server?.stop();
  });

  it('given two guards on one Redis (two API instances), then a key claimed by one is replayed to the other, under the prefix, with its TTL', async () => {
    const a = new RedisDpopReplayGuard(client(), 'wm-a');
    const b = new RedisDpopReplayGuard(client(), 'wm-a');
    expect(await a.claim('jkt.jti-1', 5_000)).toBe('claimed');
    expect(await b.claim('jkt.jti-1', 5_000)).toBe('replayed');
    expect(await a.claim('jkt.jti-1', 5_000)).toBe('replayed');
    // Another deployment (another prefix) on the same Redis is not affected.
    expect(await new RedisDpopReplayGuard(client(), 'wm-b').claim('jkt.jti-1', 5_000)).toBe('claimed');
    const ttl = await client().pttl('wm-a:dpop:jkt.jti-1');
    expect(ttl).toBeGreaterThan(4_000);
    expect(ttl).toBeLessThanOrEqual(5_000);
  });

  it('given the TTL has passed, then Redis has forgotten the key', async () => {
    const guard = new RedisDpopReplayGuard(client(), 'wm-ttl');
    expect(await guard.claim('k', 50)).toBe('claimed');
    await new Promise((resolve) => setTimeout(resolve, 120));
    expect(await guard.claim('k', 50)).toBe('claimed');
  });

  it('given Redis unreachable, then the claim fails as STORE_UNAVAILABLE (never accepted unchecked)', async () => {
    const down = new Redis('redis://127.0.0.1:1', { maxRetriesPerRequest: 0, retryStrategy: () => null, lazyConnect: true });
    clients.push(down);
    await expect(new RedisDpopReplayGuard(down, 'wm').claim('k', 1_000)).rejects.toMatchObject({ code: 'STORE_UNAVAILABLE' });
  });
});

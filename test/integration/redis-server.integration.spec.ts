import { Redis } from 'ioredis';
import { createConnection } from 'node:net';
import { RedisTestServer, startRedisServer } from '../support/redis-server';

/** The private Redis that later Redis-backed stores test against. */
describe('test Redis server', () => {
  let server: RedisTestServer;
  let client: Redis;

  beforeAll(async () => {
    server = await startRedisServer();
    client = new Redis(server.url, { lazyConnect: true, maxRetriesPerRequest: 0 });
    await client.connect();
  });

  afterAll(async () => {
    client?.disconnect();
    await server?.stop();
  });

  it('answers PING on a loopback url', async () => {
    expect(server.url).toMatch(/^redis:\/\/127\.0\.0\.1:\d+$/);
    expect(await client.ping()).toBe('PONG');
    await client.set('greeting', 'hello');
    expect(await client.get('greeting')).toBe('hello');
  });

  it('runs without persistence', async () => {
    expect(await client.config('GET', 'save')).toEqual(['save', '']);
    expect(await client.config('GET', 'appendonly')).toEqual(['appendonly', 'no']);
  });

  it('is gone after stop', async () => {
    const other = await startRedisServer();
    await other.stop();
    const refused = await new Promise<string>((resolve) => {
      const socket = createConnection({ host: '127.0.0.1', port: other.port });
      socket.once('connect', () => {
        socket.destroy();
        resolve('connected');
      });
      socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? 'error'));
    });
    expect(refused).toBe('ECONNREFUSED');
  });
});

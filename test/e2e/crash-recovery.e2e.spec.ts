import { createClient } from '@clickhouse/client';
import { createChdbConnection } from 'chdb/connection';
import { join } from 'node:path';
import { SEED_BODY, getJson, postJson, readJson } from '../support/api-app';
import { spawnApi, waitForExit } from '../support/spawned-api';
import { makeTempDir } from '../support/temp-dir';
import { waitFor } from '../support/wait-for';

/**
 * The durability promise, tested on the built service: every 201 survives `kill -9`,
 * and the restarted projector counts each event once.
 */
describe('kill -9 right after acknowledgements (built service)', () => {
  const dir = makeTempDir('crash');

  afterAll(() => dir.remove());

  it('loses no acknowledged session and projects none twice', async () => {
    const first = await spawnApi(dir.path);
    const acknowledged: string[] = [];
    let sent = 0;
    // Keep 20 starts in flight; pull the plug as soon as 150 have been acknowledged.
    await new Promise<void>((resolve) => {
      const fire = (): void => {
        if (acknowledged.length >= 150) return resolve();
        sent += 1;
        postJson(`${first.baseUrl}/v1/sessions`, { ...SEED_BODY, data: { userId: `crash-user-${sent % 7}` } })
          .then(async (response) => {
            if (response.status === 201) acknowledged.push((await readJson(response)).sessionId);
            if (acknowledged.length >= 150) {
              first.process.kill('SIGKILL');
              resolve();
            } else fire();
          })
          .catch(() => resolve());
      };
      for (let i = 0; i < 20; i += 1) fire();
    });
    await waitForExit(first.process);
    expect(acknowledged.length).toBeGreaterThanOrEqual(150);

    const second = await spawnApi(dir.path);
    try {
      const seen = new Set<string>();
      await waitFor(
        async () => {
          seen.clear();
          for (let user = 0; user < 7; user += 1) {
            const query = new URLSearchParams({ product: 'my-product-tag', env: 'snd', tag: 'session-tag', identifier: `crash-user-${user}` });
            const journey = await await readJson(await getJson(`${second.baseUrl}/v1/journeys?${query}`));
            for (const event of journey.events) seen.add(event.sessionId);
          }
          return acknowledged.filter((id) => !seen.has(id)).length;
        },
        (missing) => missing === 0,
        10_000,
        100,
      );
    } finally {
      second.process.kill('SIGTERM');
      await waitForExit(second.process);
    }

    // With the service stopped, open its read model directly and count raw rows.
    const clickhouse = createClient({ connection: createChdbConnection({ path: join(dir.path, 'clickhouse') }) as never });
    try {
      const result = await clickhouse.query({ query: 'SELECT count() AS rows, uniqExact(event_id) AS unique FROM events', format: 'JSONEachRow' });
      const [{ rows, unique }] = await result.json<{ rows: string; unique: string }>();
      expect(Number(unique)).toBeGreaterThanOrEqual(acknowledged.length);
      expect(Number(rows)).toBe(Number(unique));
    } finally {
      await clickhouse.close();
    }
  });
});

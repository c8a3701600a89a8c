import { createClient } from '@clickhouse/client';
import { WaymarkClient } from '@waymark/sdk';
import { createChdbConnection } from 'chdb/connection';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { runCli } from '../../apps/cli/src/cli';
import { RunningApi, TEST_KEY, startApi } from '../support/api-app';
import { makeTempDir } from '../support/temp-dir';
import { waitFor } from '../support/wait-for';

const scope = { product: 'my-product-tag', env: 'snd', tag: 'session-tag' };

function capture(env: NodeJS.ProcessEnv = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const progress: string[] = [];
  return {
    io: { out: (t: string) => out.push(t), err: (t: string) => err.push(t), progress: (t: string) => progress.push(t), isTty: false, env },
    out,
    err,
    progress,
  };
}

describe('waymark replay (CLI)', () => {
  const data = makeTempDir('cli-replay');
  let api: RunningApi;

  beforeAll(async () => {
    api = await startApi({ DATA_DIR: data.path });
    const waymark = new WaymarkClient({ baseUrl: api.baseUrl, apiKey: TEST_KEY });
    for (let i = 0; i < 5; i += 1) await waymark.sessions.start({ ...scope, data: { userId: `cli-${i}` } });
    await waitFor(
      () => waymark.journeys.get({ ...scope, identifier: 'cli-4' }),
      (journey) => journey.events.length === 1,
    );
  });

  afterAll(() => data.remove());

  it('drives a running service: plan, then replay with progress to completion', async () => {
    const dry = capture({ WAYMARK_API_KEY: TEST_KEY });
    expect(await runCli(['replay', '--dry-run', '--url', api.baseUrl], dry.io)).toBe(0);
    // Five sessions, plus the seed spec's SessionSpecCreated.
    expect(dry.out[0]).toMatch(/^replay 6 events from the beginning of the log/);

    const run = capture({ WAYMARK_API_KEY: TEST_KEY });
    expect(await runCli(['replay', '--url', api.baseUrl], run.io)).toBe(0);
    expect(run.out.at(-1)).toMatch(/completed: 6 events replayed; the new read model is live/);
    expect(run.progress.at(-1)).toMatch(/\[#{24}\] 100% {2}6\/6 events/);
  });

  it('runs on the data of a stopped service with --data-dir, and refuses while it runs', async () => {
    // chDB's lock is per process, so the refusal is seen from another process: the built CLI.
    const busy = spawnSync(process.execPath, [join(__dirname, '../../dist/apps/cli/main.js'), 'replay', '--data-dir', data.path], {
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(busy.status).toBe(1);
    expect(busy.stderr).toContain('if the service is running, use --url');

    await api.close();
    const run = capture();
    expect(await runCli(['replay', '--data-dir', data.path], run.io)).toBe(0);
    expect(run.out.at(-1)).toContain('completed: 6 events replayed');

    const clickhouse = createClient({ connection: createChdbConnection({ path: join(data.path, 'clickhouse') }) as never });
    try {
      const result = await clickhouse.query({
        query: "SELECT uniqExact(event_id) AS n, count() AS rows FROM events WHERE identifier LIKE 'cli-%'",
        format: 'JSONEachRow',
      });
      const [{ n, rows }] = await result.json<{ n: string | number; rows: string | number }>();
      expect([Number(n), Number(rows)]).toEqual([5, 5]);
    } finally {
      await clickhouse.close();
    }
  });
});

import { checkEnvelope } from '@waymark/domain';
import { createReadModelClient } from '@waymark/read-model';
import Database from 'better-sqlite3';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { demoSessionEvents, demoSessionStarts, demoUser } from '../../tools/seed-demo/demo-user';
import { SeededRandom } from '../../tools/seed-demo/seeded-random';
import { makeTempDir } from '../support/temp-dir';

const shape = {
  product: 'my-product-tag',
  tag: 'session-tag',
  spec: {
    tag: 'session-tag',
    name: 'Default',
    selector: 'userId',
    expiry: { value: 1, unit: 'hours' as const },
    refreshExpiry: { value: 7, unit: 'days' as const },
  },
  end: Date.parse('2026-11-26T12:00:00Z'),
  days: 10,
  sessionsPerUser: 7,
  activitiesPerSession: 12,
};

function eventsOf(seed: number, users: number) {
  return Array.from({ length: users }, (_, index) => {
    const random = new SeededRandom(seed * 1000 + index);
    const user = demoUser(index, random);
    return demoSessionStarts(shape, random).flatMap((at, session) =>
      demoSessionEvents(user, 'sealed', shape, at, new SeededRandom(seed * 7 + index * 131 + session)),
    );
  }).flat();
}

describe('seed:demo data generator', () => {
  it('is deterministic for a seed and differs between seeds', () => {
    const first = eventsOf(1, 40);
    expect(eventsOf(1, 40)).toEqual(first);
    expect(eventsOf(2, 40).map((event) => event.id)).not.toEqual(first.map((event) => event.id));
    expect(new SeededRandom(9).uint32()).toBe(new SeededRandom(9).uint32());
  });

  it('makes valid envelopes of every kind through the domain decisions, within the period', () => {
    const events = eventsOf(3, 200);
    expect(events.every((event) => checkEnvelope(JSON.stringify(event)).ok)).toBe(true);
    const types = new Set(events.map((event) => event.type));
    expect([...types].sort()).toEqual(['SessionActivityRecorded', 'SessionExtended', 'SessionRefreshed', 'SessionRevoked', 'SessionStarted']);
    const statuses = new Set(events.map((event) => (event.data as { status?: string }).status).filter(Boolean));
    expect([...statuses].sort()).toEqual(['error', 'success', 'timeout']);
    const times = events.map((event) => Date.parse(event.occurredAt));
    expect(Math.min(...times)).toBeGreaterThanOrEqual(shape.end - shape.days * 86_400_000);
    expect(Math.max(...times)).toBeLessThan(shape.end);
    expect(new Set(events.map((event) => event.id)).size).toBe(events.length);
  });

  it('writes through the real log in time order and projects everything (npm run seed:demo)', async () => {
    const dir = makeTempDir('seed-demo');
    try {
      const root = join(__dirname, '../..');
      const output = execFileSync(
        process.execPath,
        [
          '-r',
          './tools/register-ts.js',
          'tools/seed-demo/seed-demo.ts',
          '--users',
          '25',
          '--days',
          '5',
          '--seed',
          '11',
          '--end',
          '2026-11-26T12:00:00Z',
          '--data-dir',
          dir.path,
        ],
        { cwd: root, encoding: 'utf8' },
      );
      expect(output).toContain('read model:');
      const db = new Database(join(dir.path, 'waymark.db'), { readonly: true });
      const times = db.prepare('SELECT occurred_at FROM events ORDER BY position').pluck().all() as number[];
      db.close();
      expect(times.length).toBeGreaterThan(100);
      expect(times.every((time, index) => index === 0 || times[index - 1] <= time)).toBe(true);
      const clickhouse = createReadModelClient({ kind: 'chdb', path: join(dir.path, 'clickhouse') });
      try {
        const result = await clickhouse.query({
          query: 'SELECT uniqExact(event_id) AS events, uniqExact(identifier) AS users FROM events',
          format: 'JSONEachRow',
        });
        const [row] = await result.json<{ events: string; users: string }>();
        expect(Number(row.events)).toBe(times.length);
        expect(Number(row.users)).toBe(25);
      } finally {
        await clickhouse.close();
      }
    } finally {
      dir.remove();
    }
  });
});

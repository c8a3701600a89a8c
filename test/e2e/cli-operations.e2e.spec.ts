import { WaymarkClient } from '@waymark/sdk';
import Database from 'better-sqlite3';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from '../../apps/cli/src/cli';
import { RunningApi, TEST_KEY, startApi } from '../support/api-app';
import { sessionStarted } from '../support/events';
import { makeTempDir } from '../support/temp-dir';
import { waitFor } from '../support/wait-for';

const scope = { product: 'my-product-tag', env: 'snd', tag: 'session-tag' };

async function cli(args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(args, { out: (t) => out.push(t), err: (t) => err.push(t), progress: () => undefined, isTty: false, env: {} });
  return { code, out, err };
}

describe('operator commands on a running embedded service', () => {
  const data = makeTempDir('cli-ops');
  let api: RunningApi;
  let waymark: WaymarkClient;

  beforeAll(async () => {
    api = await startApi({ DATA_DIR: data.path });
    waymark = new WaymarkClient({ baseUrl: api.baseUrl, apiKey: TEST_KEY });
    for (const userId of ['ops-a', 'ops-b']) {
      const session = await waymark.sessions.start({ ...scope, data: { userId } });
      await waymark.sessions.track({ ...scope, token: session.token, records: [{ name: 'home' }, { name: 'cart' }] });
    }
    // A record the projector cannot read, and one it could but an older build dead-lettered.
    const db = new Database(join(data.path, 'waymark.db'));
    db.prepare(
      `INSERT INTO events (event_id, type, occurred_at, product, env, tag, identifier, body) VALUES ('x', '?', 0, 'p', 'e', 't', 'i', '{broken')`,
    ).run();
    db.prepare('INSERT INTO dead_letters (consumer, position, reason, body, recorded_at) VALUES (?, ?, ?, ?, ?)').run(
      'read-model',
      1,
      'unknown version 2 of SessionStarted',
      JSON.stringify(sessionStarted('redriven-user', Date.UTC(2026, 10, 1))),
      Date.now(),
    );
    db.close();
    await waitFor(
      () => cli(['lag', '--data-dir', data.path, '--json']),
      ({ out }) => JSON.parse(out[0]).find((r: { group: string }) => r.group === 'read-model')?.total === 0,
    );
  });

  afterAll(async () => {
    await api.close().catch(() => undefined);
    data.remove();
  });

  it('exports NDJSON filtered by identifier and type, to stdout or a file', async () => {
    const run = await cli(['events', 'export', '--data-dir', data.path, '--identifier', 'ops-a', '--type', 'SessionActivityRecorded']);
    expect(run.code).toBe(0);
    const events = run.out.flatMap((text) => text.split('\n')).map((line) => JSON.parse(line));
    expect(events.map((event) => event.data.name)).toEqual(['home', 'cart']);

    const file = join(data.path, 'export.ndjson');
    expect((await cli(['events', 'export', '--data-dir', data.path, '--product', 'my-product-tag', '--out', file])).code).toBe(0);
    const lines = readFileSync(file, 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(lines.filter((event) => event.type === 'SessionStarted')).toHaveLength(2);
    expect((await cli(['events', 'export', '--data-dir', data.path, '--since', 'tomorrow'])).code).toBe(2);
  });

  it('tails the last events once', async () => {
    const run = await cli(['events', 'tail', '--data-dir', data.path, '--identifier', 'ops-b', '--last', '2', '--once']);
    expect(run.code).toBe(0);
    expect(run.out.map((line) => JSON.parse(line).data.name)).toEqual(['home', 'cart']);
  });

  it('lists and shows dead letters; redrives the one that is now readable and keeps the broken one', async () => {
    const list = await cli(['dlq', 'list', '--data-dir', data.path, '--json']);
    const letters = list.out.map((line) => JSON.parse(line));
    expect(letters.map((letter) => letter.reason).sort()).toEqual(['malformed JSON', 'unknown version 2 of SessionStarted']);
    const broken = letters.find((letter) => letter.reason === 'malformed JSON');
    const readable = letters.find((letter) => letter.reason !== 'malformed JSON');

    const show = await cli(['dlq', 'show', String(broken.id), '--data-dir', data.path]);
    expect(JSON.parse(show.out[0])).toMatchObject({ id: broken.id, reason: 'malformed JSON', record: '{broken' });

    const redrive = await cli(['dlq', 'redrive', '--all', '--data-dir', data.path]);
    expect(redrive.code).toBe(1);
    expect(redrive.out[0]).toMatch(new RegExp(`^redriven ${readable.id} \\(SessionStarted `));
    expect(redrive.err[0]).toContain(`${broken.id}: still not projectable (malformed JSON)`);

    const journey = await waitFor(
      () => waymark.journeys.get({ ...scope, identifier: 'redriven-user' }),
      (j) => j.events.length === 1,
    );
    expect(journey.events[0].type).toBe('SessionStarted');
    expect((await cli(['dlq', 'list', '--data-dir', data.path, '--json'])).out).toHaveLength(1);
  });

  it('shows lag per group and partition', async () => {
    const run = await cli(['lag', '--data-dir', data.path]);
    expect(run.out[0]).toBe('group\tpartition\tcommitted\thead\tlag');
    expect(run.out[1]).toMatch(/^read-model\t0\t\d+\t\d+\t\d+$/);
  });

  it('migrates a stopped service’s stores', async () => {
    await api.close();
    const run = await cli(['migrate', '--data-dir', data.path]);
    expect(run.code).toBe(0);
    expect(run.out).toEqual([expect.stringMatching(/schema version \d+$/), expect.stringMatching(/^read model at version \d+ \(nothing to do\)$/)]);
  });
});

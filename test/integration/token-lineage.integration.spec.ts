import { ClickHouseClient } from '@clickhouse/client';
import { EventEnvelope, SessionRecord, SessionRefreshed, createUuidV7Generator, decideRecordActivity, decideRefresh, evolveSession } from '@waymark/domain';
import { SqliteEventLog } from '@waymark/event-log';
import { PersonalDataCodec, PrivacyKeyRing, SqliteUserKeyStore, UserDataOpener, UserKeyCipher, UserKeys, generatePrivacyKeyFile } from '@waymark/privacy';
import { EventsProjection, Projector } from '@waymark/projection';
import {
  DEFAULT_QUERY_LIMITS,
  JourneyRepository,
  ReuseIncidentsRepository,
  SessionLineageRepository,
  createReadModelClient,
  migrateReadModel,
} from '@waymark/read-model';
import { GroupCommitWriter, SqliteConnection, openEmbeddedDatabase } from '@waymark/sqlite';
import { DataSealer, TokenKeyRing, generateStoredKey } from '@waymark/tokens';
import { join } from 'node:path';
import { sessionStarted } from '../support/events';
import { makeTempDir } from '../support/temp-dir';
import { waitFor } from '../support/wait-for';

const silent = { log: () => undefined, warn: () => undefined, error: () => undefined };
const options = { group: 'read-model', maxBatch: 500, maxWaitMs: 50, retryBaseMs: 10, retryMaxMs: 50 };
const scope = { product: 'my-product-tag', env: 'snd', tag: 'session-tag' };
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const t0 = Date.UTC(2026, 10, 24, 8, 0, 0);
const iso = (ms: number) => new Date(ms).toISOString();
const hash = (name: string) => name.padEnd(43, '.');
const meta = { source: 'test' };

/**
 * A reuse incident from the decisions to the read model: events decided by the domain,
 * stored through the codec (the request metadata sealed with the user's key) in a real
 * SQLite log, projected by the real projector into chDB, then read as a lineage, a
 * journey and the tag's incident analytics.
 */
describe('token lineage and reuse incidents: log → projector → ClickHouse (chDB)', () => {
  const dir = makeTempDir('token-lineage');
  const newId = createUuidV7Generator();
  let db: SqliteConnection;
  let log: SqliteEventLog;
  let clickhouse: ClickHouseClient;
  let keyStore: SqliteUserKeyStore;
  let codec: PersonalDataCodec;
  let sealer: DataSealer;
  let opener: UserDataOpener;
  let projector: Projector;

  const victim = { identifier: 'victim@mail.test', sessionId: newId() };
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    db = openEmbeddedDatabase(join(dir.path, 'waymark.db'));
    log = new SqliteEventLog(db, new GroupCommitWriter(db));
    clickhouse = createReadModelClient({ kind: 'chdb', path: join(dir.path, 'clickhouse') });
    await migrateReadModel(clickhouse);
    const tokenKeys = TokenKeyRing.fromKeyFile({ keys: [generateStoredKey()] });
    keyStore = SqliteUserKeyStore.open(join(dir.path, 'keys.db'));
    const userKeys = new UserKeys(keyStore, new UserKeyCipher(PrivacyKeyRing.fromFile(generatePrivacyKeyFile())));
    sealer = new DataSealer(tokenKeys);
    codec = new PersonalDataCodec(userKeys, tokenKeys, sealer);
    opener = new UserDataOpener(userKeys, sealer);

    const events = await victimEvents();
    events.push(...(await legacyEvents()));
    await log.append(await codec.encodeAll(events));
    projector = new Projector(log.openConsumer(options.group), new EventsProjection(clickhouse, 'events', codec), silent, options);
    projector.start();
    await waitFor(
      async () => {
        const result = await clickhouse.query({ query: 'SELECT uniqExact(event_id) AS n FROM events', format: 'JSONEachRow' });
        return Number((await result.json<{ n: string }>())[0].n);
      },
      (n) => n === events.length,
    );
  });

  afterAll(async () => {
    await projector?.stop();
    await clickhouse?.close();
    await keyStore?.close();
    db?.close();
    dir.remove();
  });

  /**
   * Start (token 0), activity, rotation to 1 at +1 h, activity, rotation to 2 at +2 h,
   * activity, then token 0 replayed at +3 h from another device: incident and revocation.
   */
  async function victimEvents(): Promise<EventEnvelope[]> {
    const started = sessionStarted(victim.identifier, t0, { sessionId: victim.sessionId, data: startData(await sealer.seal({ plan: 'gold' })) });
    ids.start = started.id;
    let record = evolveSession(undefined, started, { refreshTokenHash: hash('token-0'), tokenTtlMs: HOUR, refreshTtlMs: 24 * HOUR }) as SessionRecord;
    const events: EventEnvelope[] = [started, activity(record, 'GET /before-theft', t0 + 30 * MINUTE)];
    for (const [generation, at] of [
      [1, t0 + HOUR],
      [2, t0 + 2 * HOUR],
    ] as const) {
      const decision = decideRefresh(record, refreshInput(at, hash(`token-${generation - 1}`), hash(`token-${generation}`)));
      if (decision.kind !== 'rotate') throw new Error(`expected a rotation, got ${decision.kind}`);
      ids[`rotation${generation}`] = decision.event.id;
      record = decision.record;
      events.push(decision.event, activity(record, `POST /transfer-${generation}`, at + 30 * MINUTE));
    }
    const sealedRequest = await sealer.seal({ userAgent: 'Thief/1.0', ip: '198.51.100.23' });
    const reuse = decideRefresh(record, { ...refreshInput(t0 + 3 * HOUR, hash('token-0'), hash('unused')), sealedRequest });
    if (reuse.kind !== 'reuse-detected') throw new Error(`expected reuse, got ${reuse.kind}`);
    ids.incident = reuse.incident.id;
    ids.revocation = reuse.event.id;
    events.push(...reuse.events);
    return events;
  }

  /** A session refreshed before lineage was recorded: its SessionRefreshed has no parentGeneration. */
  async function legacyEvents(): Promise<EventEnvelope[]> {
    const started = sessionStarted('legacy@mail.test', t0, { data: startData(await sealer.seal({})) });
    const refreshed: SessionRefreshed = {
      ...started,
      id: newId(),
      type: 'SessionRefreshed',
      occurredAt: iso(t0 + HOUR),
      data: { generation: 1, expiresAt: iso(t0 + 2 * HOUR), refreshExpiresAt: iso(t0 + 25 * HOUR) },
    };
    ids.legacySession = started.sessionId;
    return [started, refreshed];
  }
  function startData(sealedData: string) {
    return { expiresAt: iso(t0 + HOUR), refreshExpiresAt: iso(t0 + 24 * HOUR), sealedData };
  }

  function refreshInput(now: number, presentedHash: string, nextRefreshHash: string) {
    return { now, eventId: newId(), revocationEventId: newId(), meta, presentedHash, graceMs: 10_000, nextRefreshHash };
  }

  function activity(record: SessionRecord, name: string, at: number): EventEnvelope {
    return decideRecordActivity(record, [{ name, status: 'success', occurredAt: at }], at, newId, meta)[0];
  }

  it("builds the family tree: each rotation's parent, the replayed generation, the incident and the revocation", async () => {
    const lineage = await new SessionLineageRepository(clickhouse).find({ ...scope, identifier: victim.identifier, sessionId: victim.sessionId });
    expect(lineage.generations).toEqual([
      {
        generation: 0,
        parentGeneration: null,
        mintedBy: ids.start,
        mintedAt: iso(t0),
        spentBy: ids.rotation1,
        spentAt: iso(t0 + HOUR),
        replayedBy: ids.incident,
      },
      {
        generation: 1,
        parentGeneration: 0,
        mintedBy: ids.rotation1,
        mintedAt: iso(t0 + HOUR),
        spentBy: ids.rotation2,
        spentAt: iso(t0 + 2 * HOUR),
        replayedBy: null,
      },
      { generation: 2, parentGeneration: 1, mintedBy: ids.rotation2, mintedAt: iso(t0 + 2 * HOUR), spentBy: null, spentAt: null, replayedBy: null },
    ]);
    expect(lineage.incidents).toMatchObject([
      { eventId: ids.incident, occurredAt: iso(t0 + 3 * HOUR), replayedGeneration: 0, currentGeneration: 2, spentAt: iso(t0 + HOUR), sinceSpentMs: 2 * HOUR },
    ]);
    expect(lineage.revocation).toEqual({ eventId: ids.revocation, occurredAt: iso(t0 + 3 * HOUR), reason: 'refresh-token-reuse' });

    // The read model holds the request metadata sealed with the user's key: opened with it, not readable in the row.
    const sealed = lineage.incidents[0].sealedRequest as string;
    expect(sealed).not.toContain('198.51.100.23');
    expect(await opener.open(scope.product, victim.identifier, sealed)).toEqual({ userAgent: 'Thief/1.0', ip: '198.51.100.23' });
    expect(await new SessionLineageRepository(clickhouse).identifierOf(scope, victim.sessionId)).toBe(victim.identifier);
  });

  it('reads a refresh written before lineage as the child of the generation before it', async () => {
    const lineage = await new SessionLineageRepository(clickhouse).find({ ...scope, identifier: 'legacy@mail.test', sessionId: ids.legacySession });
    expect(lineage.generations.map((entry) => [entry.generation, entry.parentGeneration, entry.spentAt])).toEqual([
      [0, null, iso(t0 + HOUR)],
      [1, 0, null],
    ]);
    expect(lineage.incidents).toEqual([]);
  });

  it("shows the family in the journey's session, without the request metadata", async () => {
    const journey = await new JourneyRepository(clickhouse).find({ ...scope, identifier: victim.identifier }, 100);
    const [session] = journey.sessions;
    expect(session.lineage?.generations.map((entry) => entry.generation)).toEqual([0, 1, 2]);
    expect(session.lineage?.incidents).toEqual([
      { eventId: ids.incident, occurredAt: iso(t0 + 3 * HOUR), replayedGeneration: 0, currentGeneration: 2, spentAt: iso(t0 + HOUR), sinceSpentMs: 2 * HOUR },
    ]);
    expect(journey.events.find((event) => event.type === 'SessionRefreshed')?.data).toMatchObject({ generation: 1, parentGeneration: 0 });
  });

  it('counts incidents per bucket and lists the blast radius: what was recorded from the replayed rotation to the revocation', async () => {
    const incidents = await new ReuseIncidentsRepository(clickhouse, DEFAULT_QUERY_LIMITS).build({
      scope: { product: scope.product, envs: [scope.env], tag: scope.tag },
      range: { from: Date.UTC(2026, 10, 23), to: Date.UTC(2026, 10, 26) },
      interval: 'day',
      tz: 'UTC',
      limit: 10,
      maxEvents: 2,
    });
    expect(incidents.totals).toEqual({ incidents: 1, sessions: 1, users: 1 });
    expect(incidents.series).toEqual([
      { at: '2026-11-23T00:00:00.000Z', incidents: 0, sessions: 0 },
      { at: '2026-11-24T00:00:00.000Z', incidents: 1, sessions: 1 },
      { at: '2026-11-25T00:00:00.000Z', incidents: 0, sessions: 0 },
    ]);
    const [incident] = incidents.incidents;
    expect(incident).toMatchObject({
      eventId: ids.incident,
      sessionId: victim.sessionId,
      identifier: victim.identifier,
      replayedGeneration: 0,
      currentGeneration: 2,
      sinceSpentMs: 2 * HOUR,
    });
    // After rotation 1 (which spent token 0): the transfer, rotation 2, the second transfer.
    // The activity before it and the incident's own events are outside.
    expect(incident.blastRadius).toMatchObject({
      rotationEventId: ids.rotation1,
      from: iso(t0 + HOUR),
      to: iso(t0 + 3 * HOUR),
      eventCount: 3,
      truncated: true,
    });
    expect(incident.blastRadius.events.map((event) => [event.type, event.name])).toEqual([
      ['SessionActivityRecorded', 'POST /transfer-1'],
      ['SessionRefreshed', null],
    ]);
  });

  it('counts nothing outside the range or the envs asked for', async () => {
    const incidents = await new ReuseIncidentsRepository(clickhouse, DEFAULT_QUERY_LIMITS).build({
      scope: { product: scope.product, envs: ['prd'], tag: scope.tag },
      range: { from: Date.UTC(2026, 10, 23), to: Date.UTC(2026, 10, 26) },
      interval: 'day',
      tz: 'UTC',
      limit: 10,
      maxEvents: 10,
    });
    expect(incidents.totals).toEqual({ incidents: 0, sessions: 0, users: 0 });
    expect(incidents.incidents).toEqual([]);
  });
});

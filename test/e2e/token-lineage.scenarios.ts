import { WaymarkClient, WaymarkError } from '@waymark/sdk';
import { AUTH, RunningApi, TEST_KEY, getJson, readJson, startApi } from '../support/api-app';
import { ManualClock } from '../support/manual-clock';
import { waitFor } from '../support/wait-for';

const scope = { product: 'my-product-tag', env: 'snd', tag: 'session-tag' };
const SECOND = 1_000;
const MINUTE = 60 * SECOND;

/**
 * Token lineage and a reuse incident over HTTP (docs/token-lineage.md), in the mode the
 * caller's Jest project builds: start, two refreshes, activity between them, then the
 * first refresh token replayed after the grace window from another device.
 */
export function describeTokenLineage(mode: 'embedded' | 'distributed'): void {
  describe(`token lineage and reuse incidents (${mode})`, () => {
    const time = new ManualClock();
    let api: RunningApi;
    let waymark: WaymarkClient;

    beforeAll(async () => {
      api = await startApi({}, { clock: time.clock });
      waymark = new WaymarkClient({ baseUrl: api.baseUrl, apiKey: TEST_KEY });
    });

    afterAll(async () => {
      await api?.close();
    });

    it('revokes on the replay of the first refresh token, and shows the family, the incident and its blast radius', async () => {
      const identifier = `lineage-${mode}-${Date.now()}`;
      const started = await waymark.sessions.start({ ...scope, data: { userId: identifier } });
      await waymark.sessions.track({ ...scope, token: started.token, records: { name: 'GET /before-theft' } });

      time.advance(MINUTE);
      const first = await waymark.sessions.refresh({ ...scope, refreshToken: started.refreshToken });
      // Events of one millisecond are ordered by id, which need not follow the requests: a second between them.
      time.advance(SECOND);
      await waymark.sessions.track({ ...scope, token: first.token, records: { name: 'POST /transfer', properties: { amount: 900 } } });

      time.advance(MINUTE);
      const second = await waymark.sessions.refresh({ ...scope, refreshToken: first.refreshToken });
      time.advance(SECOND);
      await waymark.sessions.track({ ...scope, token: second.token, records: { name: 'GET /balance' } });

      // The grace window (10 s) is long over: the first refresh token is reuse.
      time.advance(MINUTE);
      const replay = await fetch(`${api.baseUrl}/v1/sessions/refresh`, {
        method: 'POST',
        headers: { ...AUTH, 'content-type': 'application/json' },
        body: JSON.stringify({ ...scope, refreshToken: started.refreshToken, client: { userAgent: 'Thief/2.0 (X11)', ip: '198.51.100.77' } }),
      });
      expect(replay.status).toBe(401);
      expect(replay.headers.get('content-type')).toContain('application/problem+json');
      expect(await replay.json()).toMatchObject({ code: 'REFRESH_TOKEN_REUSED' });
      expect(await waymark.sessions.verify({ ...scope, token: second.token })).toMatchObject({ valid: false, reason: 'revoked' });

      const lineage = await waitFor(
        () => waymark.sessions.lineage({ ...scope, sessionId: started.sessionId }),
        (answer) => answer.complete,
      );
      expect(lineage).toMatchObject({ sessionId: started.sessionId, identifier, status: 'revoked', currentGeneration: 2 });
      expect(lineage.generations.map((entry) => [entry.generation, entry.parentGeneration, entry.replayedBy !== null])).toEqual([
        [0, null, true],
        [1, 0, false],
        [2, 1, false],
      ]);
      const [incident] = lineage.incidents;
      expect(incident).toMatchObject({
        replayedGeneration: 0,
        currentGeneration: 2,
        spentAt: lineage.generations[1].mintedAt,
        sinceSpentMs: 2 * MINUTE + 2 * SECOND,
        request: { userAgent: 'Thief/2.0 (X11)', ip: '198.51.100.77' },
      });
      expect(lineage.generations[0].replayedBy).toBe(incident.eventId);
      expect(lineage.revocation).toMatchObject({ reason: 'refresh-token-reuse', occurredAt: incident.occurredAt });

      // The default range ends now, exclusive: the clock moves on past the incident first.
      time.advance(SECOND);
      const incidents = await waitFor(
        () => waymark.analytics.reuseIncidents({ product: scope.product, env: scope.env, tag: scope.tag }),
        (answer) => answer.incidents.some((entry) => entry.sessionId === started.sessionId),
      );
      expect(incidents.totals).toEqual({ incidents: 1, sessions: 1, users: 1 });
      expect(incidents.series.reduce((sum, bucket) => sum + bucket.incidents, 0)).toBe(1);
      const [listed] = incidents.incidents;
      expect(listed).toMatchObject({ eventId: incident.eventId, identifier, replayedGeneration: 0 });
      // What was recorded after the rotation that spent token 0 and before the revocation.
      expect(listed.blastRadius).toMatchObject({ rotationEventId: lineage.generations[1].mintedBy, eventCount: 3, truncated: false });
      expect(listed.blastRadius.events.map((event) => event.name ?? event.type)).toEqual(['POST /transfer', 'SessionRefreshed', 'GET /balance']);

      // An access request gets the request metadata recorded about the user, opened.
      let incidentData: unknown;
      for await (const line of waymark.users.export({ product: scope.product, identifier })) {
        if (line.kind === 'event' && line.type === 'RefreshTokenReused') incidentData = line.data;
      }
      expect(incidentData).toMatchObject({
        replayedGeneration: 0,
        request: { userAgent: 'Thief/2.0 (X11)', ip: '198.51.100.77' },
      });

      const journey = await waymark.journeys.get({ ...scope, identifier });
      expect(journey.sessions[0].lineage?.incidents).toMatchObject([{ eventId: incident.eventId, replayedGeneration: 0 }]);
      expect(journey.events.map((event) => event.type)).toContain('RefreshTokenReused');
    });

    it('answers 404 problem+json for a session it does not know, 400 for an id that is no UUID', async () => {
      const unknown = await getJson(
        `${api.baseUrl}/v1/sessions/01900000-0000-7000-8000-00000000dead/lineage?product=${scope.product}&env=snd&tag=${scope.tag}`,
      );
      expect(unknown.status).toBe(404);
      expect(unknown.headers.get('content-type')).toContain('application/problem+json');
      expect(await readJson(unknown)).toMatchObject({ code: 'SESSION_NOT_FOUND' });

      const malformed = await getJson(`${api.baseUrl}/v1/sessions/not-a-uuid/lineage?product=${scope.product}&env=snd&tag=${scope.tag}`);
      expect(malformed.status).toBe(400);

      // A session of another tag is as unknown as one that never was.
      const started = await waymark.sessions.start({ ...scope, data: { userId: `other-tag-${mode}` } });
      const elsewhere = await waymark.sessions.lineage({ ...scope, tag: 'checkout', sessionId: started.sessionId }).catch((error: unknown) => error);
      expect(elsewhere).toBeInstanceOf(WaymarkError);
      expect((elsewhere as WaymarkError).status).toBe(404);
    });

    it('records nothing for a retry within the grace window', async () => {
      const started = await waymark.sessions.start({ ...scope, data: { userId: `grace-${mode}` } });
      const first = await waymark.sessions.refresh({ ...scope, refreshToken: started.refreshToken });
      time.advance(5 * SECOND);
      expect(await waymark.sessions.refresh({ ...scope, refreshToken: started.refreshToken })).toEqual(first);
      const lineage = await waitFor(
        () => waymark.sessions.lineage({ ...scope, sessionId: started.sessionId }),
        (answer) => answer.complete,
      );
      expect(lineage).toMatchObject({ status: 'active', currentGeneration: 1, incidents: [], revocation: null });
    });
  });
}

import { SessionStarted } from '../events/session-events';
import { givenSession } from '../testing/given-when-then';
import { decideRecordActivity } from './record-activity.decision';

const t0 = Date.UTC(2026, 11, 3, 10, 0, 0);
const session = { product: 'p', env: 'snd', tag: 't', sessionId: '01900000-0000-7000-8000-000000000001', identifier: 'u-1' };
const meta = { requestId: 'r-1', source: 'api' };
const startedEvent: SessionStarted = {
  id: 'e-start',
  type: 'SessionStarted',
  version: 1,
  occurredAt: new Date(t0).toISOString(),
  ...session,
  data: { expiresAt: new Date(t0 + 3_600_000).toISOString(), refreshExpiresAt: new Date(t0 + 86_400_000).toISOString(), sealedData: 's' },
  meta,
};

describe('decideRecordActivity', () => {
  it('given a started session, when calls are reported, then one SessionActivityRecorded each, in order, without absent fields', () => {
    let id = 0;
    const when = givenSession(startedEvent).when(() =>
      decideRecordActivity(
        session,
        [
          { name: 'login', status: 'success', latencyMs: 12, occurredAt: t0 + 1_000 },
          { name: 'pay', parent: 'login', status: 'error', properties: { amount: 3 }, processId: undefined },
        ],
        t0 + 5_000,
        () => `a-${++id}`,
        meta,
      ),
    );
    when.then([
      {
        id: 'a-1',
        type: 'SessionActivityRecorded',
        version: 1,
        occurredAt: new Date(t0 + 1_000).toISOString(),
        ...session,
        data: { name: 'login', status: 'success', latencyMs: 12 },
        meta,
      },
      {
        id: 'a-2',
        type: 'SessionActivityRecorded',
        version: 1,
        occurredAt: new Date(t0 + 5_000).toISOString(),
        ...session,
        data: { name: 'pay', parent: 'login', status: 'error', properties: { amount: 3 } },
        meta,
      },
    ]);
  });

  it('given a started session, when activity is recorded, then the session state does not change (activity goes to the read model only)', () => {
    const given = givenSession(startedEvent);
    const after = given.when(() => decideRecordActivity(session, [{ name: 'x', status: 'ok' }], t0 + 1, () => 'a-1', meta)).thenState();
    expect(after).toEqual(given.state);
  });

  it('given nothing reported, then no event', () => {
    givenSession(startedEvent)
      .when(() => decideRecordActivity(session, [], t0, () => 'a', meta))
      .then([]);
  });
});

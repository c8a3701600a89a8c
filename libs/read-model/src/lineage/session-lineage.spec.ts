import { LineageEvent, buildLineage } from './session-lineage';

const at = (minute: number) => new Date(Date.UTC(2026, 11, 3, 10, minute)).toISOString();
const event = (id: string, type: string, minute: number, data: Record<string, unknown> = {}): LineageEvent => ({ id, type, occurredAt: at(minute), data });

describe('buildLineage', () => {
  it('links each rotation to its parent whatever order the events arrive in, and counts a duplicate once', () => {
    const started = event('e0', 'SessionStarted', 0);
    const first = event('e1', 'SessionRefreshed', 10, { generation: 1, parentGeneration: 0 });
    const second = event('e2', 'SessionRefreshed', 20, { generation: 2, parentGeneration: 1 });
    const lineage = buildLineage([second, started, first, second]);
    expect(lineage.generations).toEqual([
      { generation: 0, parentGeneration: null, mintedBy: 'e0', mintedAt: at(0), spentBy: 'e1', spentAt: at(10), replayedBy: null },
      { generation: 1, parentGeneration: 0, mintedBy: 'e1', mintedAt: at(10), spentBy: 'e2', spentAt: at(20), replayedBy: null },
      { generation: 2, parentGeneration: 1, mintedBy: 'e2', mintedAt: at(20), spentBy: null, spentAt: null, replayedBy: null },
    ]);
    expect(lineage).toMatchObject({ incidents: [], revocation: null });
  });

  it('takes generation − 1 as the parent of a refresh written before lineage was recorded', () => {
    const lineage = buildLineage([event('e0', 'SessionStarted', 0), event('e1', 'SessionRefreshed', 5, { generation: 1 })]);
    expect(lineage.generations.map((entry) => [entry.generation, entry.parentGeneration, entry.spentBy])).toEqual([
      [0, null, 'e1'],
      [1, 0, null],
    ]);
  });

  it('marks the replayed generation, and reads when it was spent from its rotation when the incident does not say', () => {
    const lineage = buildLineage([
      event('e0', 'SessionStarted', 0),
      event('e1', 'SessionRefreshed', 10, { generation: 1, parentGeneration: 0 }),
      event('e2', 'SessionRefreshed', 20, { generation: 2, parentGeneration: 1 }),
      event('e3', 'RefreshTokenReused', 30, { replayedGeneration: 0, currentGeneration: 2, sealedRequest: 'sealed' }),
      event('e4', 'SessionRevoked', 30, { reason: 'refresh-token-reuse' }),
      event('e5', 'SessionRevoked', 31, { reason: 'requested' }),
    ]);
    expect(lineage.generations[0].replayedBy).toBe('e3');
    expect(lineage.incidents).toEqual([
      { eventId: 'e3', occurredAt: at(30), replayedGeneration: 0, currentGeneration: 2, spentAt: at(10), sinceSpentMs: 20 * 60_000, sealedRequest: 'sealed' },
    ]);
    // The first revocation is the one that ended the session.
    expect(lineage.revocation).toEqual({ eventId: 'e4', occurredAt: at(30), reason: 'refresh-token-reuse' });
  });
});

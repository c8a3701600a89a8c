import { EventEnvelope } from './event-envelope';
import { parseWaymarkEvent, toWaymarkEvent } from './waymark-events';

const envelope = (type: string, data: Record<string, unknown>, version = 1): EventEnvelope => ({
  id: '01900000-0000-7000-8000-000000000001',
  type,
  version,
  occurredAt: '2026-12-03T10:00:00.000Z',
  product: 'p',
  env: 'snd',
  tag: 't',
  sessionId: '01900000-0000-7000-8000-000000000002',
  identifier: 'u',
  data,
  meta: { source: 'test' },
});

describe('typed Waymark events', () => {
  it.each([
    ['SessionStarted', { expiresAt: 'a', refreshExpiresAt: 'b', sealedData: 'c' }],
    ['SessionRefreshed', { generation: 1, expiresAt: 'a', refreshExpiresAt: 'b' }],
    ['SessionRefreshed', { generation: 2, parentGeneration: 1, expiresAt: 'a', refreshExpiresAt: 'b' }],
    ['RefreshTokenReused', { replayedGeneration: 0, currentGeneration: 2 }],
    ['RefreshTokenReused', { replayedGeneration: 0, currentGeneration: 2, spentAt: 'a', sinceSpentMs: 5, sealedRequest: 'c' }],
    ['SessionRevoked', { reason: 'refresh-token-reuse' }],
    ['SessionExtended', { refreshExpiresAt: 'a', previousRefreshExpiresAt: 'b' }],
    ['SessionActivityRecorded', { name: 'n', status: 's' }],
    ['SessionSpecCreated', { spec: { tag: 't' }, revision: 1 }],
    ['SessionSpecUpdated', { spec: { tag: 't' }, revision: 2 }],
    ['SessionSpecDeleted', { revision: 3 }],
  ])('narrows a %s envelope to the union, the same object', (type, data) => {
    const event = envelope(type, data);
    expect(toWaymarkEvent(event)).toBe(event);
    expect(parseWaymarkEvent(JSON.stringify(event))).toEqual(event);
  });

  it('refuses unknown types, unknown versions and data without what readers use', () => {
    expect(toWaymarkEvent(envelope('SessionPaused', {}))).toBeUndefined();
    expect(toWaymarkEvent(envelope('SessionRevoked', { reason: 'requested' }, 2))).toBeUndefined();
    expect(toWaymarkEvent(envelope('SessionRevoked', { reason: 'bored' }))).toBeUndefined();
    expect(toWaymarkEvent(envelope('SessionRefreshed', { generation: '1', expiresAt: 'a', refreshExpiresAt: 'b' }))).toBeUndefined();
    expect(toWaymarkEvent(envelope('SessionRefreshed', { generation: 1, parentGeneration: '0', expiresAt: 'a', refreshExpiresAt: 'b' }))).toBeUndefined();
    expect(toWaymarkEvent(envelope('RefreshTokenReused', { replayedGeneration: 0 }))).toBeUndefined();
    expect(parseWaymarkEvent('{not json')).toBeUndefined();
    expect(parseWaymarkEvent('[1]')).toBeUndefined();
  });
});

import { EventEnvelope } from '@waymark/domain';
import { recordTimestampOf, toEventMessage, toRedrivenMessage } from './kafka-records';

const event: EventEnvelope = {
  id: '01900000-0000-7000-8000-000000000002',
  type: 'SessionActivityRecorded',
  version: 1,
  occurredAt: '2026-11-26T10:00:00.000Z',
  product: 'p',
  env: 'snd',
  tag: 't',
  sessionId: '01900000-0000-7000-8000-000000000001',
  identifier: 'u-1',
  data: { name: 'x', status: 'success' },
  meta: { source: 'api' },
};

describe('Kafka record timestamps', () => {
  it("carry the event's time when Kafka can hold it", () => {
    expect(toEventMessage(event).timestamp).toBe(String(Date.UTC(2026, 10, 26, 10)));
    expect(recordTimestampOf('1970-01-01T00:00:00.000Z')).toBe('0');
  });

  it.each([
    ['before 1970 (negative: brokers refuse it)', '1800-01-01T00:00:00.000Z'],
    ['just before the epoch', '1969-12-31T23:59:59.999Z'],
    ['not a time at all', 'yesterday'],
  ])('are left to the client (time of sending) for an event time %s', (_case, occurredAt) => {
    const message = toEventMessage({ ...event, occurredAt });
    expect(message).not.toHaveProperty('timestamp');
    expect(JSON.parse(message.value as string).occurredAt).toBe(occurredAt);
  });

  it('are never negative or NaN on a redriven dead letter either', () => {
    const redriven = (raw: string) => toRedrivenMessage({ key: null, raw, headers: {} }).timestamp;
    expect(redriven(JSON.stringify({ ...event, occurredAt: '1800-01-01T00:00:00.000Z' }))).toBeUndefined();
    expect(redriven(JSON.stringify({ ...event, occurredAt: 12 }))).toBeUndefined();
    expect(redriven('null')).toBeUndefined();
    expect(redriven('{not json')).toBeUndefined();
    expect(redriven(JSON.stringify(event))).toBe(String(Date.UTC(2026, 10, 26, 10)));
  });
});

import { checkEnvelope } from './event-envelope.schema';

const valid = {
  id: '01900000-0000-7000-8000-000000000002',
  type: 'SessionStarted',
  version: 1,
  occurredAt: '2026-11-26T10:00:00.000Z',
  product: 'p',
  env: 'snd',
  tag: 't',
  sessionId: '01900000-0000-7000-8000-000000000001',
  identifier: 'u-1',
  data: { expiresAt: '2026-11-26T11:00:00.000Z' },
  meta: { source: 'api' },
};

describe('checkEnvelope', () => {
  it('accepts a well-formed envelope of a known type and version', () => {
    const check = checkEnvelope(JSON.stringify(valid));
    expect(check).toEqual({ ok: true, event: valid });
  });

  it.each([
    ['malformed JSON', '{"id":', 'malformed JSON'],
    ['a missing field', JSON.stringify({ ...valid, sessionId: undefined }), 'invalid envelope: sessionId'],
    ['a bad timestamp', JSON.stringify({ ...valid, occurredAt: 'yesterday' }), 'invalid envelope: occurredAt'],
    ['an unknown type', JSON.stringify({ ...valid, type: 'Mystery' }), "unknown event type 'Mystery'"],
    ['an unknown version', JSON.stringify({ ...valid, version: 9 }), "unknown version 9 of 'SessionStarted'"],
  ])('refuses %s with a reason', (_case, raw, reason) => {
    const check = checkEnvelope(raw);
    expect(check.ok).toBe(false);
    expect(check.ok === false && check.reason).toContain(reason);
  });
});

import { SessionStarted, createUuidV7Generator } from '@waymark/domain';

const newId = createUuidV7Generator();

/** A valid SessionStarted for tests that exercise the log and the read model directly. */
export function sessionStarted(identifier: string, at: number, overrides: Partial<SessionStarted> = {}): SessionStarted {
  return {
    id: newId(),
    type: 'SessionStarted',
    version: 1,
    occurredAt: new Date(at).toISOString(),
    product: 'my-product-tag',
    env: 'snd',
    tag: 'session-tag',
    sessionId: newId(),
    identifier,
    data: { expiresAt: new Date(at + 3_600_000).toISOString(), refreshExpiresAt: new Date(at + 86_400_000).toISOString(), sealedData: 'x' },
    meta: { source: 'test' },
    ...overrides,
  };
}

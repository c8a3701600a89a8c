import { DomainError } from '@waymark/domain';
import { ReplayEngine, ReplayRequest, ReplayRequestError } from '@waymark/replay';
import { EngineReplayOperations } from './replay-operations';

/** An engine that refuses every request the way the Kafka engine refuses a malformed position. */
function refusingEngine(): ReplayEngine {
  const refuse = () => Promise.reject(new ReplayRequestError('position "x" names no <partition>:<offset>'));
  return {
    kind: 'kafka',
    plan: refuse,
    start: refuse,
    resume: refuse,
    cancel: () => Promise.resolve(false),
    status: () => Promise.resolve(undefined),
    list: () => Promise.resolve([]),
    wait: () => Promise.resolve(undefined),
    onProgress: () => () => undefined,
    shutdown: () => Promise.resolve(),
  };
}

const request = { start: { kind: 'position', position: 'x' } } as ReplayRequest;

describe('EngineReplayOperations', () => {
  const operations = new EngineReplayOperations(refusingEngine(), () => 0);

  it.each(['plan', 'start'] as const)('answers an engine-refused request to %s as INVALID_REQUEST on `from`, not a 500', async (method) => {
    const refusal = await operations[method](request).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(refusal).toBeInstanceOf(DomainError);
    expect(refusal).toMatchObject({ code: 'INVALID_REQUEST', fieldErrors: [{ field: 'from', message: 'position "x" names no <partition>:<offset>' }] });
  });
});

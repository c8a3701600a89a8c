import { EventLog, LagReport } from '@waymark/event-log';
import { waitForProjector } from './projector-wait';

/** A log whose group's committed positions come from a script, one report per call. */
function logReporting(reports: Array<Array<[string, string, string]>>): EventLog {
  let call = 0;
  return {
    describeLag: (group: string): Promise<LagReport> => {
      const partitions = reports[Math.min(call, reports.length - 1)].map(([partition, committed, head]) => ({
        partition,
        committed,
        head,
        lag: Number(head) - Number(committed),
      }));
      call += 1;
      return Promise.resolve({ group, partitions, total: partitions.reduce((sum, entry) => sum + entry.lag, 0) });
    },
  } as unknown as EventLog;
}

describe('waitForProjector', () => {
  const options = { group: 'read-model', timeoutMs: 1_000, pollMs: 1, sleep: () => Promise.resolve() };

  it('waits until every partition has passed the head it had at the call, not later appends', async () => {
    const log = logReporting([
      [
        ['0', '5', '10'],
        ['1', '7', '7'],
      ],
      [
        ['0', '9', '12'],
        ['1', '7', '8'],
      ],
      [
        ['0', '10', '14'],
        ['1', '7', '9'],
      ],
    ]);
    expect(await waitForProjector(log, options)).toBe(true);
  });

  it('answers false once the time is up', async () => {
    let now = 0;
    const log = logReporting([[['0', '1', '2']]]);
    expect(await waitForProjector(log, { ...options, clock: () => (now += 400) })).toBe(false);
  });
});

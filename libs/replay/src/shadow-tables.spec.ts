import { ClickHouseClient } from '@clickhouse/client';
import { DerivedTable } from '@waymark/read-model';
import { populateDerivedShadows } from './shadow-tables';

/** A client that records the statements it is given, in order. */
function recordingClient(): { client: ClickHouseClient; statements: string[] } {
  const statements: string[] = [];
  const client = { command: async ({ query }: { query: string }) => void statements.push(query) } as unknown as ClickHouseClient;
  return { client, statements };
}

describe('populateDerivedShadows', () => {
  const byTime: DerivedTable = { table: 'by_time', populate: (source, target) => `INSERT INTO ${target} SELECT * FROM ${source}`, compactAfterPopulate: true };
  const byUser: DerivedTable = { table: 'by_user', populate: (source, target) => `INSERT INTO ${target} SELECT * FROM ${source}` };

  it('merges a table that asks for it into one part per partition after filling it, and leaves the others to background merges', async () => {
    const { client, statements } = recordingClient();
    await populateDerivedShadows(client, [byTime, byUser]);
    expect(statements).toEqual([
      'TRUNCATE TABLE by_time__replay',
      'INSERT INTO by_time__replay SELECT * FROM events__replay',
      'OPTIMIZE TABLE by_time__replay FINAL',
      'TRUNCATE TABLE by_user__replay',
      'INSERT INTO by_user__replay SELECT * FROM events__replay',
    ]);
  });
});

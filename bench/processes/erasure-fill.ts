import { createReadModelClient, migrateReadModel } from '@waymark/read-model';
import { join } from 'node:path';
import { runAsChild, sendAndFlush } from '../support/child-process';

/**
 * The erasure benchmark's read model: BENCH_EVENTS activity events of BENCH_USERS users
 * (`bench-user-<n>`, the seed product, env and tag) over the last 30 days, INSERTed into
 * `events` in chunks of a million, so every materialized view fills its derived table as
 * the projector's INSERTs would. In its own process: chDB's data directory can be open in
 * one process at a time, and the API opens it next.
 */
async function main(): Promise<void> {
  const total = Number(process.env.BENCH_EVENTS);
  const users = Number(process.env.BENCH_USERS);
  const dataDir = String(process.env.BENCH_DATA_DIR);
  const client = createReadModelClient({ kind: 'chdb', path: join(dataDir, 'clickhouse') });
  await migrateReadModel(client);
  const chunk = 1_000_000;
  const started = performance.now();
  for (let done = 0; done < total; done += chunk) {
    const rows = Math.min(chunk, total - done);
    await client.command({
      query: `INSERT INTO events (event_id, type, version, occurred_at, product, env, tag, identifier, session_id, data, meta, log_position)
        SELECT generateUUIDv4(), 'SessionActivityRecorded', 1,
          now64(3, 'UTC') - toIntervalSecond(intDiv((number + ${done}) * 2591, 1000) % 2592000),
          'my-product-tag', 'snd', 'session-tag',
          concat('bench-user-', toString((number + ${done}) % ${users})),
          generateUUIDv4(),
          concat('{"name":"step-', toString((number + ${done}) % 12), '","status":"ok","latencyMs":', toString((number + ${done}) % 400), '}'),
          '{"source":"bench"}', toString(number + ${done})
        FROM numbers(${rows})`,
      clickhouse_settings: { max_insert_block_size: '100000' },
    });
    process.send?.({ type: 'progress', done: done + rows, total });
  }
  const fillMs = performance.now() - started;
  await client.close();
  await sendAndFlush({ type: 'result', fillMs });
}

runAsChild(main);

import { Logger } from '@nestjs/common';
import { createUuidV7Generator } from '@waymark/domain';
import { KafkaEventLog } from '@waymark/event-log';
import { READ_MODEL_GROUP } from '@waymark/projection';
import { createReadModelClient, migrateReadModel } from '@waymark/read-model';
import { EmbeddedReplayEngine, KafkaReplayEngine, ReplayEngine, ReplayJournal } from '@waymark/replay';
import { CliIo, UsageError } from './cli-command';
import { openEmbeddedStores } from './embedded-stores';

/** Events per batch of a replay the CLI runs itself (no live projector shares the work). */
const CLI_REPLAY_BATCH = 10_000;

/** A replay engine this command drives in its own process, with what it opened for it. */
export interface LocalReplayEngine {
  engine: ReplayEngine;
  /** What the engine needs before a run starts (not for a dry run). */
  beforeStart(): Promise<void>;
  /** Closes what was opened for the engine (after `engine.shutdown()`). */
  close(): Promise<void>;
}

/** The embedded engine over a STOPPED service's data (chDB's data directory can be open in one process at a time). */
export async function openEmbeddedReplayEngine(dataDir: string): Promise<LocalReplayEngine> {
  const stores = await openEmbeddedStores(dataDir, { whenBusy: 'if the service is running, use --url instead of --data-dir' });
  const engine = new EmbeddedReplayEngine(stores.eventLog, stores.clickhouse, new ReplayJournal(stores.db), new Logger('replay'), {
    batchSize: CLI_REPLAY_BATCH,
    newId: createUuidV7Generator(),
    now: Date.now,
  });
  return { engine, beforeStart: async () => undefined, close: () => stores.close() };
}

/** The Kafka engine beside the running projectors, writing into the ClickHouse server at CLICKHOUSE_URL. */
export function openKafkaReplayEngine(kafka: KafkaEventLog, io: CliIo): LocalReplayEngine {
  const clickhouseUrl = io.env.CLICKHOUSE_URL;
  if (!clickhouseUrl) throw new UsageError('CLICKHOUSE_URL is required for a replay from Kafka');
  const clickhouse = createReadModelClient({ kind: 'server', url: clickhouseUrl });
  const engine = new KafkaReplayEngine(kafka, clickhouse, new Logger('replay'), {
    batchSize: CLI_REPLAY_BATCH,
    newId: createUuidV7Generator(),
    now: Date.now,
    projectorGroup: READ_MODEL_GROUP,
  });
  return {
    engine,
    // The server's schema may be older than this CLI's (the journal is one of its tables).
    beforeStart: async () => void (await migrateReadModel(clickhouse)),
    close: () => clickhouse.close(),
  };
}

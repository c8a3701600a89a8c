import { KafkaEventLog, KafkaEventLogConsumer, LoggedRecord } from '@waymark/event-log';
import { Socket } from 'node:net';
import { sessionStarted } from '../support/events';
import { KafkaTestBroker, kafkaTestOptions, recordingLogger, startKafkaBroker } from '../support/kafka-broker';
import { waitFor } from '../support/wait-for';

const TOPIC = 'join.events';
const PARTITIONS = 4;
const SYNC_GROUP = 14;
const LATE_CLIENT = 'late-sync';

/**
 * Holds back the first SyncGroup request that a client with id `clientId` writes to any
 * socket, by `delayMs`. Kafka requests start with size (int32), api key (int16), api
 * version (int16), correlation id (int32) and the client id (int16 length + bytes);
 * kafkajs writes each request with one `socket.write`. Everything else passes as is.
 */
function delayFirstSyncGroupOf(clientId: string, delayMs: number): { restore: () => void; delayed: () => number } {
  const original = Socket.prototype.write;
  let delayed = 0;
  Socket.prototype.write = function patchedWrite(this: Socket, chunk: unknown, ...rest: unknown[]) {
    if (delayed === 0 && Buffer.isBuffer(chunk) && chunk.length > 14 && chunk.readInt16BE(4) === SYNC_GROUP) {
      const idLength = chunk.readInt16BE(12);
      if (chunk.toString('utf8', 14, 14 + idLength) === clientId) {
        delayed += 1;
        setTimeout(() => original.call(this, chunk, ...(rest as [])), delayMs);
        return true;
      }
    }
    return original.call(this, chunk as Buffer, ...(rest as []));
  };
  return { restore: () => (Socket.prototype.write = original), delayed: () => delayed };
}

/**
 * A member whose SyncGroup reaches the coordinator after the leader's. On a real broker
 * that member just gets its assignment; librdkafka's mock coordinator (2.0) has already
 * marked the group stable once the leader's assignments cover every member and answers
 * INVALID_REQUEST, which kafkajs treats as fatal: it stops that consumer for good. The
 * distributed fault test met exactly this when its two projector processes started
 * together: one of them never consumed, and the test, killing the other, then saw
 * nothing more arrive (documented as a "consumer stall"). Any crash that kafkajs does not
 * recover from itself must not end the consumer: it rejoins the group.
 */
describe('KafkaEventLog consumer joining a group', () => {
  let broker: KafkaTestBroker;
  const logs: KafkaEventLog[] = [];
  const consumers: KafkaEventLogConsumer[] = [];

  beforeAll(async () => {
    broker = await startKafkaBroker({ brokerCount: 1, topics: { [TOPIC]: PARTITIONS, [`${TOPIC}.dlq`]: 1 } });
  });

  afterAll(async () => {
    await Promise.all(consumers.map((consumer) => consumer.close()));
    await Promise.all(logs.map((log) => log.close()));
    await broker?.stop();
  });

  function openLog(clientId: string, logger = recordingLogger()): KafkaEventLog {
    const log = new KafkaEventLog({ ...kafkaTestOptions(broker.brokers, TOPIC, PARTITIONS), clientId }, logger);
    logs.push(log);
    return log;
  }

  it('a member whose SyncGroup the coordinator refuses rejoins, and the two members then share every event', async () => {
    const leaderLog = openLog('leader');
    const lateLogger = recordingLogger();
    const lateLog = openLog(LATE_CLIENT, lateLogger);
    const leader = leaderLog.openConsumer('join');
    const late = lateLog.openConsumer('join');
    consumers.push(leader, late);
    const events = Array.from({ length: 400 }, (_, i) => sessionStarted(`join-${i % 40}`, Date.UTC(2026, 10, 26) + i));

    const patch = delayFirstSyncGroupOf(LATE_CLIENT, 500);
    const seen = new Map<string, LoggedRecord>();
    const failures: unknown[] = [];
    let stop = false;
    const drain = async (consumer: KafkaEventLogConsumer) => {
      while (!stop) {
        try {
          const batch = await consumer.nextBatch(50, 100);
          for (const record of batch.records) seen.set(record.position, record);
          await batch.commit();
        } catch (error) {
          failures.push(error);
          return;
        }
      }
    };
    // The leader joins first (the mock elects the first member), the late member right after.
    const draining = [drain(leader)];
    await new Promise((resolve) => setTimeout(resolve, 200));
    draining.push(drain(late));
    try {
      await waitFor(
        () => ({ leader: leader.assignment(), late: late.assignment(), failures: failures.length }),
        (state) => state.failures > 0 || (state.leader.length > 0 && state.late.length > 0 && state.leader.length + state.late.length === PARTITIONS),
        40_000,
        50,
      );
      patch.restore();
      // The delay really put the late member's SyncGroup behind the leader's, and it was refused.
      expect(patch.delayed()).toBe(1);
      expect(failures.map(String)).toEqual([]);
      expect(lateLogger.errors.some((line) => line.includes('rejoining the group'))).toBe(true);

      await leaderLog.append(events);
      await waitFor(
        () => seen.size,
        (size) => size >= events.length,
        30_000,
        50,
      );
    } finally {
      patch.restore();
      // A closed consumer answers at once: a drain loop left running would starve the event loop.
      stop = true;
      await Promise.all(draining);
    }

    expect(failures.map(String)).toEqual([]);
    expect([...seen.values()].map((record) => (JSON.parse(record.raw) as { id: string }).id).sort()).toEqual(events.map((event) => event.id).sort());
    expect(new Set([...leader.assignment(), ...late.assignment()]).size).toBe(PARTITIONS);
  }, 90_000);
});

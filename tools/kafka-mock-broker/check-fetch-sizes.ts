import { Kafka, logLevel } from 'kafkajs';
import { startKafkaBroker } from '../../test/support/kafka-broker';

/**
 * How many records librdkafka's mock returns per partition in one fetch, under different
 * fetch settings (docs/kafka.md, "Fetch sizes and batches"): five produce requests of 100
 * records into one partition, then a fresh group per setting records what each eachBatch
 * got. `node -r ./tools/register-ts.js tools/kafka-mock-broker/check-fetch-sizes.ts`
 */
async function main(): Promise<void> {
  const broker = await startKafkaBroker({ brokerCount: 1, topics: { 'fetch.check': 1 } });
  try {
    const kafka = new Kafka({ clientId: 'check', brokers: broker.brokers, logLevel: logLevel.NOTHING });
    const producer = kafka.producer({ allowAutoTopicCreation: false });
    await producer.connect();
    // 5 produce requests of 100 records each: 5 record batches in the partition.
    for (let request = 0; request < 5; request += 1) {
      await producer.send({
        topic: 'fetch.check',
        acks: -1,
        messages: Array.from({ length: 100 }, (_, i) => ({ value: `r${request}-${i}-${'x'.repeat(800)}` })),
      });
    }
    await producer.disconnect();
    const settings = [
      { name: 'kafkajs defaults (1 MiB/partition, 10 MiB, minBytes 1)', options: {} },
      { name: 'maxBytesPerPartition 10 MiB, maxBytes 50 MiB', options: { maxBytesPerPartition: 10 * 1024 * 1024, maxBytes: 50 * 1024 * 1024 } },
      { name: 'minBytes 1 MiB, maxWaitTimeInMs 2000', options: { minBytes: 1024 * 1024, maxWaitTimeInMs: 2000 } },
      { name: 'maxBytesPerPartition 1 KiB', options: { maxBytesPerPartition: 1024 } },
    ];
    for (const { name, options } of settings) {
      const consumer = kafka.consumer({ groupId: `check-${Math.random()}`, sessionTimeout: 3000, rebalanceTimeout: 3000, heartbeatInterval: 300, ...options });
      await consumer.connect();
      await consumer.subscribe({ topic: 'fetch.check', fromBeginning: true });
      const sizes: number[] = [];
      await new Promise<void>((resolve) => {
        void consumer.run({
          eachBatch: async ({ batch }) => {
            sizes.push(batch.messages.length);
            if (sizes.reduce((a, b) => a + b, 0) >= 500) resolve();
          },
        });
      });
      await consumer.disconnect();
      console.log(`${name}: records per fetch of the partition = ${sizes.join(', ')}`);
    }
  } finally {
    await broker.stop();
  }
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);

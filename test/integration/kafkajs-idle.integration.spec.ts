import { Kafka, logLevel } from 'kafkajs';
import { KafkaTestBroker, startKafkaBroker } from '../support/kafka-broker';

/**
 * patches/kafkajs+2.2.4.patch: an idle kafkajs connection schedules no timers. Unpatched,
 * it re-armed a 1 ms timer for ever after its first answer (about 1,700 a second) and
 * Node 24 warned of the negative delay.
 */
describe('kafkajs, as patched at install', () => {
  let broker: KafkaTestBroker;

  beforeAll(async () => {
    broker = await startKafkaBroker({ topics: { idle: 1 } });
  });

  afterAll(async () => {
    await broker.stop();
  });

  it('keeps an idle producer quiet: no timer loop, no TimeoutNegativeWarning', async () => {
    const producer = new Kafka({ brokers: broker.brokers, logLevel: logLevel.NOTHING }).producer({ allowAutoTopicCreation: false });
    const warnings: string[] = [];
    const onWarning = (warning: Error) => warnings.push(warning.name);
    process.on('warning', onWarning);
    try {
      await producer.connect();
      await producer.send({ topic: 'idle', messages: [{ value: 'one' }] });
      await new Promise((resolve) => setTimeout(resolve, 50));
      const timers = jest.spyOn(global, 'setTimeout');
      await new Promise((resolve) => setTimeout(resolve, 1000));
      // One for the wait itself; kafkajs's own request timeout check is a setInterval.
      expect(timers.mock.calls.length).toBeLessThan(10);
      timers.mockRestore();
      expect(warnings).not.toContain('TimeoutNegativeWarning');
    } finally {
      process.off('warning', onWarning);
      await producer.disconnect();
    }
  });
});

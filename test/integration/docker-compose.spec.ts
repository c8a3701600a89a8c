import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { apiEnvSchema } from '../../apps/api/src/config/api.config';
import { projectorEnvSchema } from '../../apps/projector/src/config/projector.config';

type Service = {
  image?: string;
  build?: unknown;
  command?: string[];
  environment?: Record<string, string>;
  healthcheck?: { test: string[] };
  depends_on?: Record<string, { condition: string }>;
  volumes?: string[];
};

/**
 * These machines have no Docker engine, so the compose file is checked here: its
 * services, health checks and volumes, and that every variable it sets is one the app
 * reads (a misspelt variable would be silently ignored in production).
 */
describe('docker-compose.yml', () => {
  const compose = parse(readFileSync(join(__dirname, '../../docker-compose.yml'), 'utf8'), { merge: true }) as { services: Record<string, Service>; volumes: Record<string, unknown>; secrets: Record<string, unknown> };
  const services = compose.services;

  it('runs Kafka in KRaft mode from the official image, ClickHouse ≥ 24.8, Redis, the API and the projector', () => {
    expect(Object.keys(services).sort()).toEqual(['api', 'clickhouse', 'kafka', 'kafka-init', 'projector', 'redis']);
    expect(services.kafka.image).toMatch(/^apache\/kafka:/);
    expect(services.kafka.environment?.KAFKA_PROCESS_ROLES).toBe('broker,controller');
    const [major, minor] = (services.clickhouse.image ?? '').split(':')[1].split('.').map(Number);
    expect(major * 100 + minor).toBeGreaterThanOrEqual(2408);
    expect(services.api.command).toEqual(['node', 'dist/apps/api/main.js']);
    expect(services.projector.command).toEqual(['node', 'dist/apps/projector/main.js']);
  });

  it('gives every long-running service a health check, and the apps wait for healthy dependencies', () => {
    for (const name of ['kafka', 'clickhouse', 'redis', 'api', 'projector']) {
      expect(services[name].healthcheck?.test.length).toBeGreaterThan(0);
    }
    for (const app of ['api', 'projector']) {
      expect(services[app].depends_on).toMatchObject({
        kafka: { condition: 'service_healthy' },
        'kafka-init': { condition: 'service_completed_successfully' },
        clickhouse: { condition: 'service_healthy' },
      });
    }
    expect(services.api.healthcheck?.test.join(' ')).toContain('/health/ready');
    expect(services.projector.healthcheck?.test.join(' ')).toContain(`:${services.projector.environment?.PORT}/health/ready`);
  });

  it('keeps state on named volumes', () => {
    for (const [service, volume] of [['kafka', 'kafka-data'], ['clickhouse', 'clickhouse-data'], ['redis', 'redis-data']]) {
      expect(Object.keys(compose.volumes)).toContain(volume);
      expect(services[service].volumes?.some((mount) => mount.startsWith(`${volume}:`))).toBe(true);
    }
  });

  it('sets only variables the apps read, and everything distributed mode needs', () => {
    const apiKeys = Object.keys(apiEnvSchema.shape);
    const projectorKeys = Object.keys(projectorEnvSchema.shape);
    expect(Object.keys(services.api.environment ?? {}).filter((name) => !apiKeys.includes(name))).toEqual([]);
    expect(Object.keys(services.projector.environment ?? {}).filter((name) => !projectorKeys.includes(name))).toEqual([]);
    expect(services.api.environment).toMatchObject({ KAFKA_BROKERS: expect.any(String), CLICKHOUSE_URL: expect.any(String), REDIS_URL: expect.any(String), NODE_ENV: 'production' });
    expect(services.projector.environment).toMatchObject({ KAFKA_BROKERS: expect.any(String), CLICKHOUSE_URL: expect.any(String) });
    expect(services.projector.environment).not.toHaveProperty('REDIS_URL');
    // Both apps must agree on the topic and its partition count, which kafka-init creates.
    expect(services.api.environment?.KAFKA_PARTITIONS).toBe(services.projector.environment?.KAFKA_PARTITIONS);
    expect((services['kafka-init'] as { command: string[] }).command.join(' ')).toContain(`--topic ${services.api.environment?.KAFKA_TOPIC} --partitions ${services.api.environment?.KAFKA_PARTITIONS}`);
  });

  it('parses every value it sets with the apps’ own schemas', () => {
    expect(apiEnvSchema.safeParse(services.api.environment).success).toBe(true);
    expect(projectorEnvSchema.safeParse(services.projector.environment).success).toBe(true);
  });
});

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { apiEnvSchema } from '../../apps/api/src/config/api.config';
import { projectorEnvSchema } from '../../apps/projector/src/config/projector.config';

type Service = {
  profiles?: string[];
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
  const compose = parse(readFileSync(join(__dirname, '../../docker-compose.yml'), 'utf8'), { merge: true }) as {
    services: Record<string, Service>;
    volumes: Record<string, unknown>;
    secrets: Record<string, unknown>;
  };
  const services = compose.services;

  /** The services `docker compose up` starts: those of no profile. */
  const defaults = Object.keys(services).filter((name) => !services[name].profiles);

  it('runs Kafka in KRaft mode from the official image, ClickHouse, Redis, the API and the projector', () => {
    expect(defaults.sort()).toEqual(['api', 'clickhouse', 'kafka', 'kafka-init', 'projector', 'redis']);
    expect(services.api.command).toEqual(['node', 'dist/apps/api/main.js']);
    expect(services.projector.command).toEqual(['node', 'dist/apps/projector/main.js']);
  });

  /**
   * The server versions docs/deployment.md ("Server versions") derives from the code:
   * ClickHouse >= 24.5 (`UUIDToNum`, migration 0009), Kafka 4.x in KRaft mode (kafkajs
   * 2.2.4's protocol versions are above 4.x's KIP-896 minimums), Redis >= 7.0
   * (`PEXPIREAT ... GT` in the session store's Lua scripts). The tags themselves were
   * chosen without pulling them: these machines reach no image registry.
   */
  describe('server versions', () => {
    it('pins a ClickHouse LTS line (X.3 or X.8) at or above 24.5', () => {
      const { repository, version } = imageOf(services.clickhouse);
      expect(repository).toBe('clickhouse/clickhouse-server');
      expect(atLeast(version, [24, 5])).toBe(true);
      expect([3, 8]).toContain(version[1]);
    });

    it('pins Apache Kafka 4.x or later, one exact release, for the broker and kafka-init alike', () => {
      const { repository, version, tag } = imageOf(services.kafka);
      expect(repository).toBe('apache/kafka');
      expect(tag).toMatch(/^\d+\.\d+\.\d+$/);
      expect(version[0]).toBeGreaterThanOrEqual(4);
      expect(services['kafka-init'].image).toBe(services.kafka.image);
    });

    it('configures Kafka for KRaft only: combined roles, a static controller quorum, a cluster id, nothing of ZooKeeper', () => {
      const env = services.kafka.environment ?? {};
      expect(env.KAFKA_PROCESS_ROLES).toBe('broker,controller');
      expect(env.KAFKA_NODE_ID).toBe('1');
      expect(env.KAFKA_CONTROLLER_QUORUM_VOTERS).toBe('1@kafka:9093');
      expect(env.KAFKA_CONTROLLER_LISTENER_NAMES).toBe('CONTROLLER');
      expect(env.KAFKA_LISTENERS).toContain('CONTROLLER://:9093');
      expect(env.KAFKA_LISTENER_SECURITY_PROTOCOL_MAP).toContain('CONTROLLER:PLAINTEXT');
      // A KRaft cluster id: 16 bytes, base64url without padding.
      expect(env.CLUSTER_ID).toMatch(/^[A-Za-z0-9_-]{22}$/);
      const everything = JSON.stringify([services.kafka, services['kafka-init']]);
      expect(everything).not.toMatch(/zookeeper/i);
      // The tools the health check and kafka-init run are where the official 4.x image keeps them.
      expect(services.kafka.healthcheck?.test.join(' ')).toContain('/opt/kafka/bin/kafka-broker-api-versions.sh --bootstrap-server localhost:9092');
      const init = (services['kafka-init'] as { command: string[] }).command.join(' ');
      expect(init.match(/\/opt\/kafka\/bin\/kafka-topics\.sh --bootstrap-server kafka:9092 --create --if-not-exists/g)).toHaveLength(2);
    });

    it('pins Redis 7.0 or later', () => {
      const { repository, version } = imageOf(services.redis);
      expect(repository).toBe('redis');
      expect(atLeast(version, [7, 0])).toBe(true);
    });

    it('names the pinned images in docs/deployment.md', () => {
      const doc = readFileSync(join(__dirname, '../../docs/deployment.md'), 'utf8');
      const images = ['kafka', 'clickhouse', 'redis'].map((name) => services[name].image ?? name);
      expect(images.filter((image) => !doc.includes(`\`${image}\``))).toEqual([]);
    });
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
    for (const [service, volume] of [
      ['kafka', 'kafka-data'],
      ['clickhouse', 'clickhouse-data'],
      ['redis', 'redis-data'],
    ]) {
      expect(Object.keys(compose.volumes)).toContain(volume);
      expect(services[service].volumes?.some((mount) => mount.startsWith(`${volume}:`))).toBe(true);
    }
  });

  it('sets only variables the apps read, and everything distributed mode needs', () => {
    const apiKeys = Object.keys(apiEnvSchema.shape);
    const projectorKeys = Object.keys(projectorEnvSchema.shape);
    expect(Object.keys(services.api.environment ?? {}).filter((name) => !apiKeys.includes(name))).toEqual([]);
    expect(Object.keys(services.projector.environment ?? {}).filter((name) => !projectorKeys.includes(name))).toEqual([]);
    expect(services.api.environment).toMatchObject({
      KAFKA_BROKERS: expect.any(String),
      CLICKHOUSE_URL: expect.any(String),
      REDIS_URL: expect.any(String),
      NODE_ENV: 'production',
    });
    // The projector decodes stored events (docs/privacy.md): Redis holds the user keys, and
    // it reads the same token and privacy keys as the API.
    expect(services.projector.environment).toMatchObject({
      KAFKA_BROKERS: expect.any(String),
      CLICKHOUSE_URL: expect.any(String),
      REDIS_URL: services.api.environment?.REDIS_URL,
      TOKEN_KEYS_FILE: services.api.environment?.TOKEN_KEYS_FILE,
      PRIVACY_KEYS_FILE: services.api.environment?.PRIVACY_KEYS_FILE,
    });
    // Both apps must agree on the topic and its partition count, which kafka-init creates.
    expect(services.api.environment?.KAFKA_PARTITIONS).toBe(services.projector.environment?.KAFKA_PARTITIONS);
    expect((services['kafka-init'] as { command: string[] }).command.join(' ')).toContain(
      `--topic ${services.api.environment?.KAFKA_TOPIC} --partitions ${services.api.environment?.KAFKA_PARTITIONS}`,
    );
  });

  it('parses every value it sets with the apps’ own schemas', () => {
    expect(apiEnvSchema.safeParse(services.api.environment).success).toBe(true);
    expect(projectorEnvSchema.safeParse(services.projector.environment).success).toBe(true);
  });
});

describe('docker-compose.yml, profile cluster (ClickHouse Keeper x3, 2 shards x 2 replicas)', () => {
  const compose = parse(readFileSync(join(__dirname, '../../docker-compose.yml'), 'utf8'), { merge: true }) as { services: Record<string, Service> };
  const services = compose.services;
  const inProfile = Object.keys(services).filter((name) => services[name].profiles?.includes('cluster'));
  const clusterXml = readFileSync(join(__dirname, '../../deploy/clickhouse-cluster/clickhouse-cluster.xml'), 'utf8');
  const keeperXml = readFileSync(join(__dirname, '../../deploy/clickhouse-cluster/keeper.xml'), 'utf8');
  const nodes = ['clickhouse-1-1', 'clickhouse-1-2', 'clickhouse-2-1', 'clickhouse-2-2'];

  it('has three Keeper nodes, four ClickHouse servers and an API and a projector on them', () => {
    expect(inProfile.sort()).toEqual(['api-cluster', ...nodes, 'keeper-1', 'keeper-2', 'keeper-3', 'projector-cluster'].sort());
    for (const name of inProfile) expect(services[name].healthcheck?.test.length).toBeGreaterThan(0);
    // Same server release as the single-server service.
    for (const name of nodes) expect(services[name].image).toBe(services.clickhouse.image);
  });

  it('gives each server its own shard and replica, and the cluster file lists them as 2 shards x 2 replicas', () => {
    const seen = nodes.map((name) => `${services[name].environment?.CLICKHOUSE_SHARD}/${services[name].environment?.CLICKHOUSE_REPLICA}`);
    expect(new Set(seen).size).toBe(4);
    const shards = [...clusterXml.matchAll(/<shard>([\s\S]*?)<\/shard>/g)].map((shard) =>
      [...shard[1].matchAll(/<host>([^<]+)<\/host>/g)].map((host) => host[1]),
    );
    expect(shards).toEqual([
      ['clickhouse-1-1', 'clickhouse-1-2'],
      ['clickhouse-2-1', 'clickhouse-2-2'],
    ]);
    for (const [index, hosts] of shards.entries()) for (const host of hosts) expect(services[host].environment?.CLICKHOUSE_SHARD).toBe(String(index + 1));
    expect(clusterXml).toMatch(/<shard from_env="CLICKHOUSE_SHARD"\/>/);
    expect(clusterXml).toMatch(/<replica from_env="CLICKHOUSE_REPLICA"\/>/);
    const keepers = [...keeperXml.matchAll(/<hostname>([^<]+)<\/hostname>/g)].map((host) => host[1]);
    expect(keepers).toEqual(['keeper-1', 'keeper-2', 'keeper-3']);
    expect([...clusterXml.matchAll(/<node><host>([^<]+)<\/host>/g)].map((host) => host[1])).toEqual(keepers);
  });

  it('points the apps at the cluster by the name the cluster file gives it, with values their schemas accept', () => {
    const name = /<remote_servers>\s*<(\w+)>/.exec(clusterXml)?.[1];
    for (const app of ['api-cluster', 'projector-cluster']) {
      expect(services[app].environment?.CLICKHOUSE_CLUSTER).toBe(name);
      expect(nodes.some((node) => services[app].environment?.CLICKHOUSE_URL?.includes(`@${node}:8123`))).toBe(true);
      for (const node of nodes) expect(services[app].depends_on?.[node]).toEqual({ condition: 'service_healthy' });
    }
    expect(apiEnvSchema.safeParse(services['api-cluster'].environment).success).toBe(true);
    expect(projectorEnvSchema.safeParse(services['projector-cluster'].environment).success).toBe(true);
  });
});

/** `repository:tag` of a service's image, the tag's leading numbers as the version (`8.6-alpine` → [8, 6]). */
function imageOf(service: Service): { repository: string; tag: string; version: number[] } {
  const image = service.image ?? '';
  const colon = image.lastIndexOf(':');
  if (colon < 0) throw new Error(`image ${JSON.stringify(image)} has no tag`);
  const tag = image.slice(colon + 1);
  const numbers = /^(\d+(?:\.\d+)*)/.exec(tag);
  if (!numbers) throw new Error(`image tag ${JSON.stringify(tag)} does not start with a version`);
  return { repository: image.slice(0, colon), tag, version: numbers[1].split('.').map(Number) };
}

/** Whether `version` is at or above `minimum`, compared number by number (missing parts are 0). */
function atLeast(version: readonly number[], minimum: readonly number[]): boolean {
  for (let i = 0; i < Math.max(version.length, minimum.length); i += 1) {
    const have = version[i] ?? 0;
    const need = minimum[i] ?? 0;
    if (have !== need) return have > need;
  }
  return true;
}

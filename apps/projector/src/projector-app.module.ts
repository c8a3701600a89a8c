import { DynamicModule, Module } from '@nestjs/common';
import { ShutdownModule } from '@waymark/http';
import { WaymarkMetrics } from '@waymark/metrics';
import { ProjectorModule, READ_MODEL_GROUP } from '@waymark/projection';
import { StorageModule } from '@waymark/storage';
import { ConfigError } from '@waymark/config';
import { TokenKeyRing, loadTokenKeyRing } from '@waymark/tokens';
import { PROJECTOR_CONFIG, ProjectorConfig } from './config/projector.config';

/** The token keys, which the codec re-seals session data with for the read model. */
function tokenKeyRingOf(config: ProjectorConfig): TokenKeyRing {
  try {
    return loadTokenKeyRing(config.tokenKeys).ring;
  } catch (error) {
    throw new ConfigError((error as Error).message);
  }
}
import { ProjectorHealthController } from './projector-health.controller';

/**
 * The projector as its own process. Distributed mode: a member of the Kafka consumer
 * group writing into the ClickHouse server; run as many as the topic has partitions to
 * share. Embedded mode: it catches the read model up while the API is stopped (chDB's
 * data directory can be open in one process at a time).
 */
@Module({})
class TokenKeysModule {}

@Module({})
export class ProjectorAppModule {
  static forRoot(config: ProjectorConfig): DynamicModule {
    const storage = config.distributed
      ? StorageModule.kafkaAndClickHouse({ ...config.distributed, privacyKeys: config.privacyKeys })
      : StorageModule.embedded({ dataDir: config.dataDir, privacyKeys: config.privacyKeys });
    return {
      module: ProjectorAppModule,
      imports: [
        // Knows from the first shutdown hook that the process is closing (readiness says shutting_down).
        ShutdownModule,
        // Global, so the storage module's codec can inject the token keys.
        { module: TokenKeysModule, global: true, providers: [{ provide: TokenKeyRing, useFactory: () => tokenKeyRingOf(config) }], exports: [TokenKeyRing] },
        storage,
        ProjectorModule.forRoot({
          group: READ_MODEL_GROUP,
          maxBatch: config.batchSize,
          maxWaitMs: 500,
          lingerMs: config.lingerMs,
          retryBaseMs: 200,
          retryMaxMs: 10_000,
        }),
      ],
      controllers: [ProjectorHealthController],
      providers: [
        { provide: PROJECTOR_CONFIG, useValue: config },
        { provide: WaymarkMetrics, useValue: new WaymarkMetrics() },
      ],
    };
  }
}

import { DynamicModule, Global, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { WaymarkConfig } from '@waymark/config';
import { Clock } from '@waymark/domain';
import { ShutdownModule } from '@waymark/http';
import { ProjectorModule, READ_MODEL_GROUP } from '@waymark/projection';
import { StorageModule } from '@waymark/storage';
import { AnalyticsModule } from './analytics/analytics.module';
import { API_KEY_DEFAULT_RATE_LIMIT, ApiKeyGuard } from './auth/api-key.guard';
import { ApiKeyRegistry } from './auth/api-key-registry';
import { ConsoleModule } from './console/console.module';
import { API_CONFIG } from './config/api-config.provider';
import { ApiConfig } from './config/api.config';
import { DocsController } from './openapi/docs.controller';
import { OperationsModule } from './operations/operations.module';
import { ObservabilityModule } from './observability/observability.module';
import { meteredCqrsModule } from './observability/metered-cqrs.module';
import { JourneysModule } from './journeys/journeys.module';
import { RetentionModule } from './retention/retention.module';
import { retentionSettingsFrom } from './retention/retention-settings';
import { SessionsModule } from './sessions/sessions.module';
import { domainProviders } from './shared/domain.providers';
import { SpecsModule } from './specs/specs.module';
import { TokensModule } from './tokens/tokens.module';
import { UsersModule } from './users/users.module';

/** What the process that builds the app may choose besides the configuration: only tests do. */
export interface ApiAppOptions {
  /** The API's clock (CLOCK): decisions, token checks and timeouts read it. Default: the system clock. */
  clock?: Clock;
}

@Global()
@Module({})
class CoreModule {
  static forRoot(config: ApiConfig, waymark: WaymarkConfig, clock?: Clock): DynamicModule {
    const providers = [
      { provide: API_CONFIG, useValue: config },
      { provide: API_KEY_DEFAULT_RATE_LIMIT, useValue: config.defaultRateLimit },
      { provide: ApiKeyRegistry, useValue: new ApiKeyRegistry(waymark.apiKeys, config.bootstrapKey, { production: config.nodeEnv === 'production' }) },
      ...domainProviders(waymark, clock),
    ];
    return { module: CoreModule, providers, exports: providers.map((provider) => provider.provide) };
  }
}

/** Where the privacy keys come from: created beside the token keys wherever those may be. */
function privacyKeySettingsOf(config: ApiConfig) {
  return { file: config.privacyKeysFile, json: config.privacyKeysJson, mayCreate: config.mayCreateTokenKeys };
}

/**
 * Embedded mode: the API and the projector in one process over SQLite and chDB, with
 * replay in process. Distributed mode: the API alone over Kafka, Redis and a ClickHouse
 * server; the projector runs as its own processes (apps/projector); a replay runs in
 * the API instance asked, beside them.
 */
@Module({})
export class AppModule {
  static forRoot(config: ApiConfig, waymark: WaymarkConfig, options: ApiAppOptions = {}): DynamicModule {
    const modeModules = config.distributed
      ? [
          StorageModule.distributed({
            kafka: config.distributed.kafka,
            clickhouseUrl: config.distributed.clickhouseUrl,
            clickhouseCluster: config.distributed.clickhouseCluster,
            redisUrl: config.distributed.redisUrl,
            redisKeyPrefix: config.distributed.redisKeyPrefix,
            privacyKeys: privacyKeySettingsOf(config),
          }),
          OperationsModule.distributed(),
        ]
      : [
          StorageModule.embedded({ dataDir: config.dataDir, privacyKeys: privacyKeySettingsOf(config) }),
          ProjectorModule.forRoot({
            group: READ_MODEL_GROUP,
            maxBatch: config.projectorBatchSize,
            maxWaitMs: 500,
            lingerMs: config.projectorLingerMs,
            retryBaseMs: 200,
            retryMaxMs: 10_000,
          }),
          OperationsModule.embedded(),
        ];
    return {
      module: AppModule,
      imports: [
        // CqrsModule with buses that count every command and query (waymark_commands_total).
        meteredCqrsModule(),
        CoreModule.forRoot(config, waymark, options.clock),
        // Knows from the first shutdown hook that the instance is closing (edge and readiness).
        ShutdownModule,
        ...modeModules,
        TokensModule.forRoot({ keysFile: config.tokenKeysFile, keysJson: config.tokenKeysJson, mayCreate: config.mayCreateTokenKeys }),
        SpecsModule,
        SessionsModule,
        JourneysModule,
        ObservabilityModule,
        AnalyticsModule,
        ConsoleModule,
        UsersModule,
        // Both modes prune the read model; embedded mode prunes its SQLite log too (docs/retention.md).
        RetentionModule.forRoot({
          policies: waymark.retention ?? [],
          settings: retentionSettingsFrom(process.env),
          embedded: !config.distributed,
          lateMs: config.activityWindow.maxAgeMs + config.activityWindow.maxFutureMs,
        }),
      ],
      controllers: [DocsController],
      providers: [{ provide: APP_GUARD, useClass: ApiKeyGuard }],
    };
  }
}

import { DynamicModule, Global, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { CqrsModule } from '@nestjs/cqrs';
import { WaymarkConfig } from '@waymark/config';
import { ProjectorModule } from '@waymark/projection';
import { StorageModule } from '@waymark/storage';
import { AnalyticsModule } from './analytics/analytics.module';
import { API_KEY_DEFAULT_RATE_LIMIT, ApiKeyGuard } from './auth/api-key.guard';
import { ApiKeyRegistry } from './auth/api-key-registry';
import { API_CONFIG } from './config/api-config.provider';
import { ApiConfig } from './config/api.config';
import { HealthController } from './health/health.controller';
import { DocsController } from './openapi/docs.controller';
import { JourneysModule } from './journeys/journeys.module';
import { SessionsModule } from './sessions/sessions.module';
import { domainProviders } from './shared/domain.providers';
import { SpecsModule } from './specs/specs.module';
import { TokensModule } from './tokens/tokens.module';

@Global()
@Module({})
class CoreModule {
  static forRoot(config: ApiConfig, waymark: WaymarkConfig): DynamicModule {
    const providers = [
      { provide: API_CONFIG, useValue: config },
      { provide: API_KEY_DEFAULT_RATE_LIMIT, useValue: config.defaultRateLimit },
      { provide: ApiKeyRegistry, useValue: new ApiKeyRegistry(waymark.apiKeys, config.bootstrapKey, { production: config.nodeEnv === 'production' }) },
      ...domainProviders(waymark),
    ];
    return { module: CoreModule, providers, exports: providers.map((provider) => provider.provide) };
  }
}

/**
 * Embedded mode: the API and the projector in one process over SQLite and chDB.
 */
@Module({})
export class AppModule {
  static forRoot(config: ApiConfig, waymark: WaymarkConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        CqrsModule.forRoot(),
        CoreModule.forRoot(config, waymark),
        StorageModule.embedded({ dataDir: config.dataDir }),
        TokensModule.forRoot({ keysFile: config.tokenKeysFile, keysJson: config.tokenKeysJson, mayCreate: config.mayCreateTokenKeys }),
        ProjectorModule.forRoot({
          group: 'read-model',
          maxBatch: config.projectorBatchSize,
          maxWaitMs: 500,
          retryBaseMs: 200,
          retryMaxMs: 10_000,
        }),
        SpecsModule,
        SessionsModule,
        JourneysModule,
        AnalyticsModule,
      ],
      controllers: [HealthController, DocsController],
      providers: [{ provide: APP_GUARD, useClass: ApiKeyGuard }],
    };
  }
}

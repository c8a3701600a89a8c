import { DynamicModule, Global, Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { SessionCatalog } from '@waymark/domain';
import { ProjectorModule } from '@waymark/projection';
import { StorageModule } from '@waymark/storage';
import { API_CONFIG } from './config/api-config.provider';
import { ApiConfig } from './config/api.config';
import { HealthController } from './health/health.controller';
import { JourneysModule } from './journeys/journeys.module';
import { SessionsModule } from './sessions/sessions.module';
import { domainProviders } from './shared/domain.providers';
import { TokensModule } from './tokens/tokens.module';

@Global()
@Module({})
class CoreModule {
  static forRoot(config: ApiConfig, catalog: SessionCatalog): DynamicModule {
    const providers = [{ provide: API_CONFIG, useValue: config }, ...domainProviders(catalog)];
    return { module: CoreModule, providers, exports: providers.map((provider) => provider.provide) };
  }
}

/**
 * Embedded mode: the API and the projector in one process over SQLite and chDB.
 */
@Module({})
export class AppModule {
  static forRoot(config: ApiConfig, catalog: SessionCatalog): DynamicModule {
    return {
      module: AppModule,
      imports: [
        CqrsModule.forRoot(),
        CoreModule.forRoot(config, catalog),
        StorageModule.embedded({ dataDir: config.dataDir }),
        TokensModule.forRoot({ keysFile: config.tokenKeysFile, mayCreate: config.mayCreateTokenKeys }),
        ProjectorModule.forRoot({
          group: 'read-model',
          maxBatch: config.projectorBatchSize,
          maxWaitMs: 500,
          retryBaseMs: 200,
          retryMaxMs: 10_000,
        }),
        SessionsModule,
        JourneysModule,
      ],
      controllers: [HealthController],
    };
  }
}

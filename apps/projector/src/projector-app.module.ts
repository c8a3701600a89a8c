import { DynamicModule, Module } from '@nestjs/common';
import { ProjectorModule, READ_MODEL_GROUP } from '@waymark/projection';
import { StorageModule } from '@waymark/storage';
import { ProjectorConfig } from './config/projector.config';

/**
 * The projector on its own. In embedded mode the API already runs one in process;
 * this standalone form catches the read model up while the API is stopped (chDB's
 * data directory can be open in one process at a time).
 */
@Module({})
export class ProjectorAppModule {
  static forRoot(config: ProjectorConfig): DynamicModule {
    return {
      module: ProjectorAppModule,
      imports: [
        StorageModule.embedded({ dataDir: config.dataDir }),
        ProjectorModule.forRoot({ group: READ_MODEL_GROUP, maxBatch: config.batchSize, maxWaitMs: 500, retryBaseMs: 200, retryMaxMs: 10_000 }),
      ],
    };
  }
}

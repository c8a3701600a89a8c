import { DynamicModule, Module, Provider } from '@nestjs/common';
import { embeddedReplayEngine, kafkaReplayEngine } from './replay-engine.providers';
import { EngineReplayOperations, REPLAY_OPERATIONS } from './replay-operations';
import { ReplayController } from './replay.controller';

/** The replay endpoints, over the mode's replay engine (one port, an adapter per mode). */
@Module({})
export class OperationsModule {
  static embedded(): DynamicModule {
    return OperationsModule.over(embeddedReplayEngine);
  }

  static distributed(): DynamicModule {
    return OperationsModule.over(kafkaReplayEngine);
  }

  private static over(engine: Provider): DynamicModule {
    return {
      module: OperationsModule,
      controllers: [ReplayController],
      providers: [engine, EngineReplayOperations, { provide: REPLAY_OPERATIONS, useExisting: EngineReplayOperations }],
    };
  }
}

import { DynamicModule, Module } from '@nestjs/common';
import { EmbeddedReplayOperations } from './embedded-replay-operations';
import { KafkaReplayOperations } from './kafka-replay-operations';
import { REPLAY_OPERATIONS } from './replay-operations';
import { ReplayController } from './replay.controller';
import { ReplayService } from './replay.service';

/** The replay endpoints, over the mode's replay operations. */
@Module({})
export class OperationsModule {
  static embedded(): DynamicModule {
    return {
      module: OperationsModule,
      controllers: [ReplayController],
      providers: [ReplayService, EmbeddedReplayOperations, { provide: REPLAY_OPERATIONS, useExisting: EmbeddedReplayOperations }],
    };
  }

  static distributed(): DynamicModule {
    return {
      module: OperationsModule,
      controllers: [ReplayController],
      providers: [KafkaReplayOperations, { provide: REPLAY_OPERATIONS, useExisting: KafkaReplayOperations }],
    };
  }
}

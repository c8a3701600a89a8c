import { ClickHouseClient } from '@clickhouse/client';
import { BeforeApplicationShutdown, DynamicModule, Inject, Injectable, Logger, Module, OnApplicationBootstrap, Optional } from '@nestjs/common';
import { EVENT_LOG, EventLog } from '@waymark/event-log';
import { PersonalDataCodec } from '@waymark/privacy';
import { CLICKHOUSE } from '@waymark/read-model';
import { EventsProjection } from './events.projection';
import { Projector, ProjectorOptions } from './projector';

const PROJECTOR_OPTIONS = Symbol('PROJECTOR_OPTIONS');

/** The consumer group of the live read-model projector. */
export const READ_MODEL_GROUP = 'read-model';

/** Runs the projector for the app's lifetime; stops it before the stores close. */
@Injectable()
export class ProjectorRunner implements OnApplicationBootstrap, BeforeApplicationShutdown {
  readonly projector: Projector;

  constructor(
    @Inject(EVENT_LOG) eventLog: EventLog,
    @Inject(CLICKHOUSE) clickhouse: ClickHouseClient,
    @Inject(PROJECTOR_OPTIONS) options: ProjectorOptions,
    // Decodes the stored events and skips erased users' (StorageModule provides it; absent: records projected as stored).
    @Optional() @Inject(PersonalDataCodec) codec?: PersonalDataCodec,
  ) {
    this.projector = new Projector(eventLog.openConsumer(options.group), new EventsProjection(clickhouse, 'events', codec), new Logger('projector'), options);
  }

  onApplicationBootstrap(): void {
    this.projector.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.projector.stop();
    new Logger('projector').log({ ...this.projector.stats }, 'projector stopped; its last batch is committed');
  }
}

@Module({})
export class ProjectorModule {
  static forRoot(options: ProjectorOptions): DynamicModule {
    return {
      module: ProjectorModule,
      global: true,
      providers: [{ provide: PROJECTOR_OPTIONS, useValue: options }, ProjectorRunner],
      exports: [ProjectorRunner],
    };
  }
}

import { ClickHouseClient } from '@clickhouse/client';
import { Module } from '@nestjs/common';
import { Clock, IdGenerator } from '@waymark/domain';
import { EVENT_LOG, EventLog } from '@waymark/event-log';
import { PersonalDataCodec, USER_KEY_STORE, UserDataOpener, UserKeyStore, UserKeys } from '@waymark/privacy';
import { READ_MODEL_GROUP } from '@waymark/projection';
import { CLICKHOUSE, UserExportReader } from '@waymark/read-model';
import { SESSION_STORE, SessionStore } from '@waymark/session-store';
import { DISTRIBUTED_USER_KEY_CACHE_MS } from '@waymark/storage';
import { API_CONFIG } from '../config/api-config.provider';
import { ApiConfig } from '../config/api.config';
import { CLOCK, ID_GENERATOR } from '../shared/domain.providers';
import { EraseUserHandler } from './erasure/erase-user.handler';
import { UserErasure } from './erasure/user-erasure';
import { UserExport } from './export/user-export';
import { UsersController } from './users.controller';

/** How long an erasure waits for the projector before answering 503 (a retry finishes the erasure). */
const PROJECTOR_WAIT_MS = 30_000;

/** The user-data endpoints of issue 17: erase and export (docs/privacy.md). */
@Module({
  controllers: [UsersController],
  providers: [
    EraseUserHandler,
    {
      provide: UserErasure,
      useFactory: (
        config: ApiConfig,
        keyStore: UserKeyStore,
        keys: UserKeys,
        codec: PersonalDataCodec,
        sessions: SessionStore,
        eventLog: EventLog,
        clickhouse: ClickHouseClient,
        clock: Clock,
        newId: IdGenerator,
      ) =>
        new UserErasure(
          { keyStore, keys, codec, sessions, eventLog, clickhouse, clock, newId },
          {
            projectorGroup: READ_MODEL_GROUP,
            projectorTimeoutMs: PROJECTOR_WAIT_MS,
            projectorPollMs: 50,
            keyCacheMs: config.distributed ? DISTRIBUTED_USER_KEY_CACHE_MS : 0,
          },
        ),
      inject: [API_CONFIG, USER_KEY_STORE, UserKeys, PersonalDataCodec, SESSION_STORE, EVENT_LOG, CLICKHOUSE, CLOCK, ID_GENERATOR],
    },
    {
      provide: UserExport,
      useFactory: (clickhouse: ClickHouseClient, opener: UserDataOpener, clock: Clock) => new UserExport(new UserExportReader(clickhouse), opener, clock),
      inject: [CLICKHOUSE, UserDataOpener, CLOCK],
    },
  ],
})
export class UsersModule {}

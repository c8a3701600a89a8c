import { Module } from '@nestjs/common';
import { ExtendSessionHandler } from './commands/extend-session/extend-session.handler';
import { RecordActivityHandler } from './commands/record-activity/record-activity.handler';
import { RefreshSessionHandler } from './commands/refresh-session/refresh-session.handler';
import { RevokeSessionsHandler } from './commands/revoke-sessions/revoke-sessions.handler';
import { StartSessionHandler } from './commands/start-session/start-session.handler';
import { GetSessionLineageHandler } from './queries/get-session-lineage/get-session-lineage.handler';
import { ListActiveSessionsHandler } from './queries/list-active-sessions/list-active-sessions.handler';
import { VerifySessionHandler } from './queries/verify-session/verify-session.handler';
import { DPOP_PROVIDERS } from './dpop.providers';
import { RevocationList } from './revocation-list';
import { SessionCommands } from './session-commands';
import { SessionTokenVerifier } from './session-token-verifier';
import { SessionUseTracker } from './session-use-tracker';
import { SessionsController } from './sessions.controller';

@Module({
  controllers: [SessionsController],
  providers: [
    RevocationList,
    SessionCommands,
    SessionTokenVerifier,
    ...DPOP_PROVIDERS,
    SessionUseTracker,
    StartSessionHandler,
    RefreshSessionHandler,
    RevokeSessionsHandler,
    ExtendSessionHandler,
    RecordActivityHandler,
    VerifySessionHandler,
    ListActiveSessionsHandler,
    GetSessionLineageHandler,
  ],
})
export class SessionsModule {}

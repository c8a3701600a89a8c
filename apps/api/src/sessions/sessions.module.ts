import { Module } from '@nestjs/common';
import { StartSessionHandler } from './commands/start-session/start-session.handler';
import { SessionsController } from './sessions.controller';

@Module({
  controllers: [SessionsController],
  providers: [StartSessionHandler],
})
export class SessionsModule {}

import { Body, Controller, Get, Header, HttpCode, Post, Query } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { DomainError, durationToMs } from '@waymark/domain';
import { ZodValidationPipe } from '@waymark/http';
import { currentRequestId } from '@waymark/logging';
import { RequireRole } from '../auth/require-role.decorator';
import { ExtendSessionCommand, ExtendSessionResult } from './commands/extend-session/extend-session.command';
import { RecordActivityCommand, RecordActivityResult } from './commands/record-activity/record-activity.command';
import { RefreshSessionCommand, RefreshSessionResult } from './commands/refresh-session/refresh-session.command';
import { RevokeSessionsCommand, RevokeSessionsResult } from './commands/revoke-sessions/revoke-sessions.command';
import { StartSessionCommand, StartSessionResult } from './commands/start-session/start-session.command';
import { ListActiveSessionsQuery, ListActiveSessionsResult } from './queries/list-active-sessions/list-active-sessions.query';
import { VerifySessionQuery, VerifySessionResult } from './queries/verify-session/verify-session.query';
import {
  ExtendSessionBody,
  ListActiveQuery,
  MAX_EXTENSION_MS,
  RecordActivityBody,
  RefreshSessionBody,
  RevokeSessionsBody,
  StartSessionBody,
  VerifySessionBody,
  extendSessionBodySchema,
  listActiveQuerySchema,
  recordActivityBodySchema,
  refreshSessionBodySchema,
  revokeSessionsBodySchema,
  startSessionBodySchema,
  verifySessionBodySchema,
} from './sessions.dto';

/** The session methods a product's backend calls (secret keys only). */
@Controller('v1/sessions')
@RequireRole('secret')
export class SessionsController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
  ) {}

  @Post()
  @HttpCode(201)
  // Tokens must not be cached by anything between us and the caller.
  @Header('cache-control', 'no-store')
  start(@Body(new ZodValidationPipe(startSessionBodySchema)) body: StartSessionBody): Promise<StartSessionResult> {
    return this.commands.execute(new StartSessionCommand(body.product, body.env, body.tag, body.data, currentRequestId()));
  }

  @Post('verify')
  @HttpCode(200)
  @Header('cache-control', 'no-store')
  verify(@Body(new ZodValidationPipe(verifySessionBodySchema)) body: VerifySessionBody): Promise<VerifySessionResult> {
    return this.queries.execute(new VerifySessionQuery(body.product, body.env, body.tag, body.token));
  }

  @Post('refresh')
  @HttpCode(200)
  @Header('cache-control', 'no-store')
  refresh(@Body(new ZodValidationPipe(refreshSessionBodySchema)) body: RefreshSessionBody): Promise<RefreshSessionResult> {
    return this.commands.execute(new RefreshSessionCommand(body.product, body.env, body.tag, body.refreshToken, currentRequestId()));
  }

  @Post('revoke')
  @HttpCode(200)
  revoke(@Body(new ZodValidationPipe(revokeSessionsBodySchema)) body: RevokeSessionsBody): Promise<RevokeSessionsResult> {
    const target =
      body.sessionId !== undefined ? { sessionId: body.sessionId } : { identifier: body.identifier as string, exceptSessionId: body.exceptSessionId };
    return this.commands.execute(new RevokeSessionsCommand(body.product, body.env, body.tag, target, currentRequestId()));
  }

  @Post('extend')
  @HttpCode(200)
  extend(@Body(new ZodValidationPipe(extendSessionBodySchema)) body: ExtendSessionBody): Promise<ExtendSessionResult> {
    const byMs = body.by ? durationToMs(body.by) : undefined;
    if (byMs !== undefined && byMs > MAX_EXTENSION_MS) {
      throw DomainError.forField('INVALID_REQUEST', 'by', 'a session can be extended by at most 365 days at a time');
    }
    return this.commands.execute(new ExtendSessionCommand(body.product, body.env, body.tag, body.sessionId, byMs, currentRequestId()));
  }

  @Post('activity')
  @HttpCode(201)
  track(@Body(new ZodValidationPipe(recordActivityBodySchema)) body: RecordActivityBody): Promise<RecordActivityResult> {
    const records = (body.records ?? [body.record!]).map(({ occurredAt, ...rest }) => ({
      ...rest,
      occurredAt: occurredAt === undefined ? undefined : Date.parse(occurredAt),
    }));
    return this.commands.execute(
      new RecordActivityCommand(body.product, body.env, body.tag, body.token, records, currentRequestId(), body.record !== undefined ? 'record' : 'records'),
    );
  }

  @Get('active')
  listActive(@Query(new ZodValidationPipe(listActiveQuerySchema, 'query')) query: ListActiveQuery): Promise<ListActiveSessionsResult> {
    return this.queries.execute(new ListActiveSessionsQuery(query.product, query.env, query.tag, query.identifier, query.page, query.pageSize));
  }
}

import { Body, Controller, Get, Header, HttpCode, Param, Post, Query, Req } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { DomainError, durationToMs } from '@waymark/domain';
import {
  EXAMPLE_SESSION_ID,
  ExtendSessionBody,
  extendSessionBodySchema,
  ExtendSessionResponse,
  extendSessionResponseSchema,
  ListActiveQuery,
  listActiveQuerySchema,
  ListActiveResponse,
  listActiveResponseSchema,
  MAX_EXTENSION_MS,
  RecordActivityBody,
  recordActivityBodySchema,
  RecordActivityResponse,
  recordActivityResponseSchema,
  RefreshSessionBody,
  refreshSessionBodySchema,
  SessionLineageQuery,
  sessionLineageQuerySchema,
  SessionLineageResponse,
  sessionLineageSchema,
  sessionLineageParamsSchema,
  RevokeSessionsBody,
  revokeSessionsBodySchema,
  RevokeSessionsResponse,
  revokeSessionsResponseSchema,
  SessionTokens,
  sessionTokensSchema,
  StartSessionBody,
  startSessionBodySchema,
  VerifySessionBody,
  verifySessionBodySchema,
  VerifySessionResponse,
  verifySessionResponseSchema,
} from '@waymark/contract';
import { currentRequestId } from '@waymark/logging';
import { FastifyRequest } from 'fastify';
import { RequireRole } from '../auth/require-role.decorator';
import { ApiErrorCode, ApiOperation } from '../openapi/api-operation.decorator';
import { ExtendSessionCommand } from './commands/extend-session/extend-session.command';
import { RecordActivityCommand } from './commands/record-activity/record-activity.command';
import { RefreshSessionCommand } from './commands/refresh-session/refresh-session.command';
import { RevokeSessionsCommand } from './commands/revoke-sessions/revoke-sessions.command';
import { StartSessionCommand } from './commands/start-session/start-session.command';
import { GetSessionLineageQuery } from './queries/get-session-lineage/get-session-lineage.query';
import { ListActiveSessionsQuery } from './queries/list-active-sessions/list-active-sessions.query';
import { VerifySessionQuery } from './queries/verify-session/verify-session.query';

/** A session method names its product, env and tag: the catalog refuses those it does not know. */
const SCOPE_ERRORS: ApiErrorCode[] = ['PRODUCT_NOT_FOUND', 'ENV_NOT_FOUND', 'SESSION_SPEC_NOT_FOUND'];
/** A session unused past its idle timeout, or past its absolute lifetime (docs/session-timeouts.md). */
const TIMEOUT_ERRORS: ApiErrorCode[] = ['SESSION_IDLE_TIMEOUT', 'SESSION_ABSOLUTE_TIMEOUT'];

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
  @ApiOperation({
    operationId: 'startSession',
    tag: 'sessions',
    summary: 'Start a session (sessions.start)',
    description: "Answers once the SessionStarted event is durable. The user's identifier is read from `data` by the spec's selector.",
    body: startSessionBodySchema,
    responses: { 201: { description: 'Tokens for the new session', schema: sessionTokensSchema } },
    errors: [...SCOPE_ERRORS, 'IDENTIFIER_MISSING', 'INVALID_SESSION_DATA', 'CREATE_FAILED', 'STORE_UNAVAILABLE'],
  })
  start(@Body() body: StartSessionBody): Promise<SessionTokens> {
    return this.commands.execute(new StartSessionCommand(body.product, body.env, body.tag, body.data, currentRequestId(), body.jkt));
  }

  @Post('verify')
  @HttpCode(200)
  @Header('cache-control', 'no-store')
  @ApiOperation({
    operationId: 'verifySession',
    tag: 'sessions',
    summary: 'Verify a session token',
    description:
      'A valid token needs no store read; a revoked session is refused at once. An invalid, expired or ' +
      'revoked token is an answer (`valid: false`), not an error. A token bound to a key (DPoP, docs/dpop.md) ' +
      'needs `dpop`, the proof its client sent with the request: without it, or when the proof fails a check ' +
      '(signature, key, `htm`, `htu`, `iat`, `ath`, or a `jti` already used), the answer is `reason: dpop`.',
    body: verifySessionBodySchema,
    responses: { 200: { description: 'Validity and, when valid, the decrypted data', schema: verifySessionResponseSchema } },
    errors: [...SCOPE_ERRORS, 'STORE_UNAVAILABLE'],
  })
  verify(@Body() body: VerifySessionBody): Promise<VerifySessionResponse> {
    return this.queries.execute(new VerifySessionQuery(body.product, body.env, body.tag, body.token, body.dpop, body.maxAgeSeconds));
  }

  @Post('refresh')
  @HttpCode(200)
  @Header('cache-control', 'no-store')
  @ApiOperation({
    operationId: 'refreshSession',
    tag: 'sessions',
    summary: 'Refresh: a new token and a new refresh token',
    description:
      'Each refresh token works once. A retry within the grace window gets the same answer; a spent token ' +
      'presented after it revokes the session (RFC 9700 §4.14.2) and records a RefreshTokenReused incident with ' +
      "`client` (the end user's user agent and IP; without it, this request's own), sealed with the user's key.",
    body: refreshSessionBodySchema,
    responses: { 200: { description: 'The new pair', schema: sessionTokensSchema } },
    errors: [
      ...SCOPE_ERRORS,
      'TOKEN_INVALID',
      'REFRESH_FAILED',
      'REFRESH_TOKEN_REUSED',
      'SESSION_EXPIRED',
      'SESSION_REVOKED',
      ...TIMEOUT_ERRORS,
      'STORE_UNAVAILABLE',
    ],
  })
  refresh(@Body() body: RefreshSessionBody, @Req() request: FastifyRequest): Promise<SessionTokens> {
    const userAgent = request.headers['user-agent'];
    const client = body.client ?? { userAgent: typeof userAgent === 'string' ? userAgent.slice(0, 512) : undefined, ip: request.ip };
    return this.commands.execute(new RefreshSessionCommand(body.product, body.env, body.tag, body.refreshToken, currentRequestId(), client));
  }

  @Post('revoke')
  @HttpCode(200)
  @ApiOperation({
    operationId: 'revokeSessions',
    tag: 'sessions',
    summary: "Revoke a session, or all of a user's sessions in the tag",
    description: 'Give `sessionId`, or `identifier` (optionally with `exceptSessionId`, the session to keep).',
    body: revokeSessionsBodySchema,
    responses: { 200: { description: 'Sessions this call revoked', schema: revokeSessionsResponseSchema } },
    errors: [...SCOPE_ERRORS, 'SESSION_NOT_FOUND', 'STORE_UNAVAILABLE'],
  })
  revoke(@Body() body: RevokeSessionsBody): Promise<RevokeSessionsResponse> {
    const target =
      body.sessionId !== undefined ? { sessionId: body.sessionId } : { identifier: body.identifier as string, exceptSessionId: body.exceptSessionId };
    return this.commands.execute(new RevokeSessionsCommand(body.product, body.env, body.tag, target, currentRequestId()));
  }

  @Post('extend')
  @HttpCode(200)
  @ApiOperation({
    operationId: 'extendSession',
    tag: 'sessions',
    summary: "Push a session's end out",
    description: 'By `by` (at most 365 days), or by the spec’s refresh lifetime.',
    body: extendSessionBodySchema,
    responses: { 200: { description: 'The new end', schema: extendSessionResponseSchema } },
    errors: [...SCOPE_ERRORS, 'SESSION_NOT_FOUND', 'SESSION_EXPIRED', 'SESSION_REVOKED', ...TIMEOUT_ERRORS, 'STORE_UNAVAILABLE'],
  })
  extend(@Body() body: ExtendSessionBody): Promise<ExtendSessionResponse> {
    const byMs = body.by ? durationToMs(body.by) : undefined;
    if (byMs !== undefined && byMs > MAX_EXTENSION_MS) {
      throw DomainError.forField('INVALID_REQUEST', 'by', 'a session can be extended by at most 365 days at a time');
    }
    return this.commands.execute(new ExtendSessionCommand(body.product, body.env, body.tag, body.sessionId, byMs, currentRequestId()));
  }

  @Post('activity')
  @HttpCode(201)
  @ApiOperation({
    operationId: 'recordActivity',
    tag: 'sessions',
    summary: 'Record calls made on the session’s behalf (one or up to 500)',
    description:
      'Give `record` or `records`. `occurredAt` (default: the time of receipt) must lie within ' +
      'ACTIVITY_MAX_AGE_MS (30 days) before and ACTIVITY_MAX_FUTURE_MS (10 minutes) after the server ' +
      'clock, else 400 naming `record.occurredAt` / `records.N.occurredAt`. Names, status, processId and ' +
      'property keys carry no control characters; `properties` nests at most 31 levels.',
    body: recordActivityBodySchema,
    responses: { 201: { description: 'Recorded', schema: recordActivityResponseSchema } },
    errors: [...SCOPE_ERRORS, 'TOKEN_INVALID', 'SESSION_EXPIRED', 'SESSION_REVOKED', ...TIMEOUT_ERRORS, 'STORE_UNAVAILABLE'],
  })
  track(@Body() body: RecordActivityBody): Promise<RecordActivityResponse> {
    const records = (body.records ?? [body.record!]).map(({ occurredAt, ...rest }) => ({
      ...rest,
      occurredAt: occurredAt === undefined ? undefined : Date.parse(occurredAt),
    }));
    return this.commands.execute(
      new RecordActivityCommand(body.product, body.env, body.tag, body.token, records, currentRequestId(), body.record !== undefined ? 'record' : 'records'),
    );
  }

  @Get('active')
  @ApiOperation({
    operationId: 'listActiveSessions',
    tag: 'sessions',
    summary: "A user's live sessions, paged",
    query: listActiveQuerySchema,
    responses: { 200: { description: 'A page of sessions', schema: listActiveResponseSchema } },
    errors: ['PRODUCT_NOT_FOUND', 'ENV_NOT_FOUND', 'STORE_UNAVAILABLE'],
  })
  listActive(@Query() query: ListActiveQuery): Promise<ListActiveResponse> {
    return this.queries.execute(new ListActiveSessionsQuery(query.product, query.env, query.tag, query.identifier, query.page, query.pageSize));
  }

  @Get(':sessionId/lineage')
  // Admins investigating an incident read it too, not only the product's backend.
  @RequireRole('secret', 'admin')
  @ApiOperation({
    operationId: 'getSessionLineage',
    tag: 'sessions',
    summary: "A session's refresh-token family: each rotation and its parent, reuse incidents, the revocation",
    description:
      'Generation 0 is the refresh token minted at start; each rotation mints the next and spends its parent. A reuse ' +
      "incident names the spent generation presented again, when, how long after its spending, and the request's user " +
      "agent and IP (opened with the user's key). Read from the read model: `complete` is false while it lags the " +
      'session store. docs/token-lineage.md.',
    params: { sessionId: { description: 'The session id', example: EXAMPLE_SESSION_ID } },
    query: sessionLineageQuerySchema,
    responses: { 200: { description: 'The family tree', schema: sessionLineageSchema } },
    errors: ['PRODUCT_NOT_FOUND', 'ENV_NOT_FOUND', 'SESSION_NOT_FOUND', 'STORE_UNAVAILABLE'],
  })
  lineage(@Param('sessionId') sessionId: string, @Query() query: SessionLineageQuery): Promise<SessionLineageResponse> {
    if (!sessionLineageParamsSchema.safeParse({ sessionId }).success) {
      throw DomainError.forField('INVALID_REQUEST', 'sessionId', 'a session id is a UUID');
    }
    return this.queries.execute(new GetSessionLineageQuery({ product: query.product, env: query.env, tag: query.tag }, sessionId));
  }
}

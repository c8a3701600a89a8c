import { Body, Controller, Get, HttpCode, Inject, NotFoundException, Param, Post, Req } from '@nestjs/common';
import { DomainError } from '@waymark/domain';
import {
  ReplayCancel,
  replayCancelSchema,
  ReplayProgress,
  replayProgressSchema,
  ReplayStarted,
  replayStartedSchema,
  StartReplayBody,
  startReplayBodySchema,
} from '@waymark/contract';
import { ReplayConflictError } from '@waymark/replay';
import { AuthenticatedRequest } from '../auth/api-key.guard';
import { RequireRole } from '../auth/require-role.decorator';
import { ApiOperation } from '../openapi/api-operation.decorator';

const REPLAY_ID = { id: { description: 'The replay id', example: '01a21b40-5f2e-7c11-9d3a-8e2f5b6c7d10' } };
import { REPLAY_OPERATIONS, ReplayOperations } from './replay-operations';

/**
 * Replays of the read model. Embedded mode: they run inside the service, because chDB's
 * data directory is open in this process and the hand-over needs the live projector;
 * the CLI's `waymark replay` drives these endpoints (or runs alone while the service is
 * stopped). Distributed mode: the instance asked reads Kafka into the ClickHouse server
 * beside the projector processes; any instance answers progress, cancel and resume.
 */
@Controller('v1/admin/replays')
@RequireRole('admin')
export class ReplayController {
  constructor(@Inject(REPLAY_OPERATIONS) private readonly replays: ReplayOperations) {}

  @Post()
  @HttpCode(202)
  @ApiOperation({
    operationId: 'startReplay',
    tag: 'operations',
    summary: 'Start a replay (or plan one with dryRun)',
    description:
      'Rebuilds the read model from the event log into shadow tables and swaps them in atomically. Without ' +
      '`product`, the key must be allowed every product. One replay may be unfinished at a time (409 ' +
      'REPLAY_CONFLICT). With `dryRun`, the plan alone.',
    body: startReplayBodySchema,
    responses: { 202: { description: 'Started; follow it with GET /v1/admin/replays/{id} (or, with dryRun, the plan)', schema: replayStartedSchema } },
    errors: ['REPLAY_CONFLICT', 'STORE_UNAVAILABLE'],
  })
  async start(@Body() body: StartReplayBody, @Req() request: AuthenticatedRequest): Promise<ReplayStarted> {
    // Rebuilding every product's rows is for keys that may act on every product.
    if (body.product === undefined && request.principal?.product !== '*') {
      throw DomainError.forField('FORBIDDEN', 'product', "this API key may only replay its own product: name it in 'product'");
    }
    const replayRequest = { start: body.from, product: body.product, tag: body.tag };
    if (body.dryRun) return { dryRun: true, ...(await this.replays.plan(replayRequest)) };
    try {
      return await this.replays.start(replayRequest);
    } catch (error) {
      if (error instanceof ReplayConflictError) throw DomainError.forField('REPLAY_CONFLICT', 'id', error.message);
      throw error;
    }
  }

  @Get(':id')
  @ApiOperation({
    operationId: 'getReplay',
    tag: 'operations',
    summary: "A replay's progress",
    params: REPLAY_ID,
    responses: { 200: { description: 'Progress, with rate and ETA', schema: replayProgressSchema } },
    errors: ['NOT_FOUND'],
  })
  async progress(@Param('id') id: string): Promise<ReplayProgress> {
    const progress = await this.replays.progress(id);
    if (!progress) throw new NotFoundException(`no replay ${id}`);
    return progress;
  }

  @Post(':id/cancel')
  @HttpCode(200)
  @ApiOperation({
    operationId: 'cancelReplay',
    tag: 'operations',
    summary: 'Interrupt a replay after its batch in hand (resumable)',
    params: REPLAY_ID,
    responses: { 200: { description: 'Asked', schema: replayCancelSchema } },
    errors: ['NOT_FOUND'],
  })
  async cancel(@Param('id') id: string): Promise<ReplayCancel> {
    if (!(await this.replays.progress(id))) throw new NotFoundException(`no replay ${id}`);
    return { id, cancelling: await this.replays.cancel(id) };
  }

  @Post(':id/resume')
  @HttpCode(202)
  @ApiOperation({
    operationId: 'resumeReplay',
    tag: 'operations',
    summary: 'Resume an interrupted replay from the last batch it wrote',
    params: REPLAY_ID,
    responses: { 202: { description: 'Resumed', schema: replayProgressSchema } },
    errors: ['NOT_FOUND', 'REPLAY_CONFLICT'],
  })
  async resume(@Param('id') id: string): Promise<ReplayProgress | undefined> {
    if (!(await this.replays.progress(id))) throw new NotFoundException(`no replay ${id}`);
    try {
      return await this.replays.resume(id);
    } catch (error) {
      throw DomainError.forField('REPLAY_CONFLICT', 'id', (error as Error).message);
    }
  }
}

import { Body, Controller, Get, HttpCode, Inject, NotFoundException, Param, Post, Req } from '@nestjs/common';
import { DomainError } from '@waymark/domain';
import { ZodValidationPipe } from '@waymark/http';
import { ReplayConflictError } from '@waymark/replay';
import { AuthenticatedRequest } from '../auth/api-key.guard';
import { RequireRole } from '../auth/require-role.decorator';
import { StartReplayBody, startReplayBodySchema } from './replay.dto';
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
  async start(@Body(new ZodValidationPipe(startReplayBodySchema)) body: StartReplayBody, @Req() request: AuthenticatedRequest) {
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
  async progress(@Param('id') id: string) {
    const progress = await this.replays.progress(id);
    if (!progress) throw new NotFoundException(`no replay ${id}`);
    return progress;
  }

  @Post(':id/cancel')
  @HttpCode(200)
  async cancel(@Param('id') id: string) {
    if (!(await this.replays.progress(id))) throw new NotFoundException(`no replay ${id}`);
    return { id, cancelling: await this.replays.cancel(id) };
  }

  @Post(':id/resume')
  @HttpCode(202)
  async resume(@Param('id') id: string) {
    if (!(await this.replays.progress(id))) throw new NotFoundException(`no replay ${id}`);
    try {
      return await this.replays.resume(id);
    } catch (error) {
      throw DomainError.forField('REPLAY_CONFLICT', 'id', (error as Error).message);
    }
  }
}

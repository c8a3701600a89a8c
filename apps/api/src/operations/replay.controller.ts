import { Body, Controller, Get, HttpCode, NotFoundException, Param, Post, Req } from '@nestjs/common';
import { DomainError } from '@waymark/domain';
import { ZodValidationPipe } from '@waymark/http';
import { ReplayConflictError, describePlan } from '@waymark/replay';
import { AuthenticatedRequest } from '../auth/api-key.guard';
import { RequireRole } from '../auth/require-role.decorator';
import { StartReplayBody, startReplayBodySchema } from './replay.dto';
import { ReplayService } from './replay.service';

/**
 * Replays run inside the service in embedded mode, because chDB's data directory is
 * open in this process and the hand-over needs the live projector. The CLI's
 * `waymark replay` drives these endpoints (or runs alone while the service is stopped).
 */
@Controller('v1/admin/replays')
@RequireRole('admin')
export class ReplayController {
  constructor(private readonly replays: ReplayService) {}

  @Post()
  @HttpCode(202)
  async start(@Body(new ZodValidationPipe(startReplayBodySchema)) body: StartReplayBody, @Req() request: AuthenticatedRequest) {
    // Rebuilding every product's rows is for keys that may act on every product.
    if (body.product === undefined && request.principal?.product !== '*') {
      throw DomainError.forField('FORBIDDEN', 'product', "this API key may only replay its own product: name it in 'product'");
    }
    const replayRequest = { start: body.from, product: body.product, tag: body.tag };
    if (body.dryRun) {
      const plan = await this.replays.plan(replayRequest);
      return { dryRun: true, plan, description: describePlan(plan) };
    }
    try {
      const record = await this.replays.start(replayRequest);
      return { id: record.id, plan: record.plan, description: describePlan(record.plan), progress: this.replays.progress(record.id) };
    } catch (error) {
      if (error instanceof ReplayConflictError) throw DomainError.forField('REPLAY_CONFLICT', 'id', error.message);
      throw error;
    }
  }

  @Get(':id')
  progress(@Param('id') id: string) {
    const progress = this.replays.progress(id);
    if (!progress) throw new NotFoundException(`no replay ${id}`);
    return progress;
  }

  @Post(':id/cancel')
  @HttpCode(200)
  cancel(@Param('id') id: string) {
    if (!this.replays.progress(id)) throw new NotFoundException(`no replay ${id}`);
    return { id, cancelling: this.replays.cancel(id) };
  }

  @Post(':id/resume')
  @HttpCode(202)
  async resume(@Param('id') id: string) {
    if (!this.replays.progress(id)) throw new NotFoundException(`no replay ${id}`);
    try {
      await this.replays.resume(id);
    } catch (error) {
      throw DomainError.forField('REPLAY_CONFLICT', 'id', (error as Error).message);
    }
    return this.replays.progress(id);
  }
}

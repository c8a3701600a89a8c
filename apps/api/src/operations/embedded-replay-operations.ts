import { Injectable } from '@nestjs/common';
import { ReplayProgress, ReplayRequest, describePlan } from '@waymark/replay';
import { ReplayOperations } from './replay-operations';
import { ReplayService } from './replay.service';

/** Embedded mode: the replay runs in this process, handing over to its own projector. */
@Injectable()
export class EmbeddedReplayOperations implements ReplayOperations {
  constructor(private readonly replays: ReplayService) {}

  async plan(request: ReplayRequest) {
    const plan = await this.replays.plan(request);
    return { plan, description: describePlan(plan) };
  }

  async start(request: ReplayRequest) {
    const record = await this.replays.start(request);
    return { id: record.id, plan: record.plan, description: describePlan(record.plan), progress: this.replays.progress(record.id) };
  }

  async progress(id: string): Promise<ReplayProgress | undefined> {
    return this.replays.progress(id);
  }

  async cancel(id: string): Promise<boolean> {
    return this.replays.cancel(id);
  }

  async resume(id: string): Promise<ReplayProgress | undefined> {
    await this.replays.resume(id);
    return this.replays.progress(id);
  }
}

import { Command } from '@nestjs/cqrs';
import { SessionSpec } from '@waymark/domain';
import { SpecView } from '@waymark/contract';

export class UpdateSpecCommand extends Command<SpecView> {
  constructor(
    readonly product: string,
    readonly spec: SessionSpec,
    /** From `If-Match`: refuse the update if the spec moved past this revision. */
    readonly expectedRevision: number | undefined,
    readonly requestId: string | undefined,
  ) {
    super();
  }
}

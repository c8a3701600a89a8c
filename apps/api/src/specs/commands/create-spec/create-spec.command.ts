import { Command } from '@nestjs/cqrs';
import { SessionSpec } from '@waymark/domain';
import { SpecView } from '@waymark/contract';

export class CreateSpecCommand extends Command<SpecView> {
  constructor(
    readonly product: string,
    readonly spec: SessionSpec,
    readonly requestId: string | undefined,
  ) {
    super();
  }
}

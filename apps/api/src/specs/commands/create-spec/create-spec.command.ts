import { Command } from '@nestjs/cqrs';
import { SessionSpec } from '@waymark/domain';
import { SpecView } from '../../specs.dto';

export class CreateSpecCommand extends Command<SpecView> {
  constructor(
    readonly product: string,
    readonly spec: SessionSpec,
    readonly requestId: string | undefined,
  ) {
    super();
  }
}

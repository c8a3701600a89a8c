import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { decideUpdateSpec } from '@waymark/domain';
import { SpecView } from '@waymark/contract';
import { SpecWriter } from '../../spec-writer';
import { UpdateSpecCommand } from './update-spec.command';

@CommandHandler(UpdateSpecCommand)
export class UpdateSpecHandler implements ICommandHandler<UpdateSpecCommand, SpecView> {
  constructor(private readonly writer: SpecWriter) {}

  async execute(command: UpdateSpecCommand): Promise<SpecView> {
    const stored = await this.writer.write(command.product, command.spec.tag, command.requestId, (existing, context) =>
      decideUpdateSpec(existing, command.spec, command.expectedRevision, context),
    );
    return { product: stored.product, revision: stored.revision, spec: stored.spec };
  }
}

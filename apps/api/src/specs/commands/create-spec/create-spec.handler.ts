import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { decideCreateSpec } from '@waymark/domain';
import { SpecView } from '@waymark/contract';
import { SpecWriter } from '../../spec-writer';
import { CreateSpecCommand } from './create-spec.command';

@CommandHandler(CreateSpecCommand)
export class CreateSpecHandler implements ICommandHandler<CreateSpecCommand, SpecView> {
  constructor(private readonly writer: SpecWriter) {}

  async execute(command: CreateSpecCommand): Promise<SpecView> {
    const stored = await this.writer.write(command.product, command.spec.tag, command.requestId, (existing, context) =>
      decideCreateSpec(existing, command.spec, context),
    );
    return { product: stored.product, revision: stored.revision, spec: stored.spec };
  }
}

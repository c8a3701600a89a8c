import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { decideDeleteSpec } from '@waymark/domain';
import { SpecWriter } from '../../spec-writer';
import { DeleteSpecCommand } from './delete-spec.command';

@CommandHandler(DeleteSpecCommand)
export class DeleteSpecHandler implements ICommandHandler<DeleteSpecCommand> {
  constructor(private readonly writer: SpecWriter) {}

  async execute(command: DeleteSpecCommand) {
    const stored = await this.writer.write(command.product, command.tag, command.requestId, (existing, context) =>
      decideDeleteSpec(existing, command.tag, context),
    );
    return { product: stored.product, tag: command.tag, revision: stored.revision, deleted: true as const };
  }
}

import { Command } from '@nestjs/cqrs';

export class DeleteSpecCommand extends Command<{ product: string; tag: string; revision: number; deleted: true }> {
  constructor(
    readonly product: string,
    readonly tag: string,
    readonly requestId: string | undefined,
  ) {
    super();
  }
}

import { Command } from '@nestjs/cqrs';
import { ErasureReceipt } from '@waymark/contract';
import { ErasureRequest } from './erasure-progress';

export class EraseUserCommand extends Command<ErasureReceipt> {
  constructor(readonly request: ErasureRequest) {
    super();
  }
}

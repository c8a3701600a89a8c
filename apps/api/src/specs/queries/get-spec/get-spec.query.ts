import { Query } from '@nestjs/cqrs';
import { SpecView } from '@waymark/contract';

export class GetSpecQuery extends Query<SpecView> {
  constructor(
    readonly product: string,
    readonly tag: string,
  ) {
    super();
  }
}

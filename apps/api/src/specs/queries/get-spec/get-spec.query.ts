import { Query } from '@nestjs/cqrs';
import { SpecView } from '../../specs.dto';

export class GetSpecQuery extends Query<SpecView> {
  constructor(
    readonly product: string,
    readonly tag: string,
  ) {
    super();
  }
}

import { Query } from '@nestjs/cqrs';
import { SpecView } from '@waymark/contract';

export class ListSpecsQuery extends Query<{ product: string; specs: SpecView[] }> {
  constructor(readonly product: string) {
    super();
  }
}

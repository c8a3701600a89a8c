import { Query } from '@nestjs/cqrs';
import { SessionLineageResponse } from '@waymark/contract';

/** One session's refresh-token family: generations, reuse incidents, revocation. */
export class GetSessionLineageQuery extends Query<SessionLineageResponse> {
  constructor(
    readonly scope: { product: string; env: string; tag: string },
    readonly sessionId: string,
  ) {
    super();
  }
}

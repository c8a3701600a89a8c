import { Command } from '@nestjs/cqrs';
import { ActivityInput } from '@waymark/domain';

export interface RecordActivityResult {
  recorded: number;
  sessionId: string;
}

export class RecordActivityCommand extends Command<RecordActivityResult> {
  constructor(
    readonly product: string,
    readonly env: string,
    readonly tag: string,
    readonly token: string,
    readonly records: readonly ActivityInput[],
    readonly requestId: string | undefined,
    /** Which body field held the records, so that a refusal names it (`record` or `records.N`). */
    readonly recordsField: 'record' | 'records' = 'records',
  ) {
    super();
  }
}

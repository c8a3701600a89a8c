import { Logger } from '@nestjs/common';
import { UserExportLine } from '@waymark/contract';
import { UserDataOpener } from '@waymark/privacy';
import { ExportedEvent, UserExportReader } from '@waymark/read-model';

/**
 * One user's data as NDJSON lines (GET /v1/users/export): an `export` header, every
 * session of theirs in the read model with the data it was started with (opened with
 * the user's key, or the token keys for rows projected before per-user keys, as the
 * profile endpoint does), every event of theirs in time order
 * (a SessionStarted's sealed data opened into `data.data`, a RefreshTokenReused's request
 * metadata into `data.request`), and an `end` line with the
 * counts. Generated page by page as the client reads: nothing holds the whole export.
 */
export class UserExport {
  private readonly logger = new Logger('export');

  constructor(
    private readonly reader: UserExportReader,
    private readonly opener: UserDataOpener,
    private readonly clock: () => number,
  ) {}

  async *lines(product: string, identifier: string): AsyncGenerator<UserExportLine> {
    yield { kind: 'export', product, identifier, exportedAt: new Date(this.clock()).toISOString() };
    let sessions = 0;
    for await (const session of this.reader.sessions(product, identifier)) {
      const { sealedData, ...rest } = session;
      yield { kind: 'session', ...rest, data: await this.open(product, identifier, sealedData) };
      sessions += 1;
    }
    let events = 0;
    for await (const event of this.reader.events(product, identifier)) {
      yield { kind: 'event', ...event, data: await this.openedData(product, identifier, event) };
      events += 1;
    }
    yield { kind: 'end', sessions, events };
  }

  private async openedData(product: string, identifier: string, event: ExportedEvent): Promise<Record<string, unknown>> {
    const { sealedData, sealedRequest, ...rest } = event.data;
    // A reuse incident's request metadata (user agent, IP) is theirs too: opened into `data.request`.
    if (typeof sealedRequest === 'string') return { ...rest, request: await this.open(product, identifier, sealedRequest) };
    if (typeof sealedData !== 'string') return event.data;
    return { ...rest, data: await this.open(product, identifier, sealedData) };
  }

  private async open(product: string, identifier: string, sealed: string | null): Promise<Record<string, unknown> | null> {
    if (sealed === null) return null;
    const opened = await this.opener.open(product, identifier, sealed);
    // Sealed with a key since retired: the rest of the export is still owed.
    if (opened === undefined) this.logger.warn('sealed data could not be opened for an export');
    return opened ?? null;
  }
}

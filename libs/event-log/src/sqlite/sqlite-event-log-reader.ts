import { SqliteConnection } from '@waymark/sqlite';
import { EventLogReader, LoggedRecord, ReadStart } from '../event-log.port';
import { UserReadFilter } from '../read-filter';

/**
 * Reads the embedded log by position, optionally filtered (in SQL, on the log's own
 * columns; a scan by position, which suits replay, export and tail: they read the log
 * in order anyway).
 */
export class SqliteEventLogReader implements EventLogReader {
  private readonly scope: string;
  private readonly params: Record<string, string | number>;

  constructor(
    private readonly db: SqliteConnection,
    filter: UserReadFilter = {},
  ) {
    const clauses: string[] = [];
    this.params = {};
    if (filter.product !== undefined) {
      clauses.push('product = @product');
      this.params.product = filter.product;
    }
    if (filter.tag !== undefined) {
      clauses.push('tag = @tag');
      this.params.tag = filter.tag;
    }
    if (filter.identifier !== undefined) {
      // The column holds the clear identifier of events written before crypto-shredding,
      // the user's subject for those written since.
      const names = ['@identifier'];
      this.params.identifier = filter.identifier;
      (filter.subjects ?? []).forEach((subject, index) => {
        this.params[`subject${index}`] = subject;
        names.push(`@subject${index}`);
      });
      clauses.push(`identifier IN (${names.join(', ')})`);
    }
    if (filter.types !== undefined && filter.types.length > 0) {
      const names = filter.types.map((type, index) => {
        this.params[`type${index}`] = type;
        return `@type${index}`;
      });
      clauses.push(`type IN (${names.join(', ')})`);
    }
    if (filter.since !== undefined) {
      clauses.push('occurred_at >= @since');
      this.params.since = filter.since;
    }
    if (filter.until !== undefined) {
      clauses.push('occurred_at < @until');
      this.params.until = filter.until;
    }
    this.scope = clauses.length > 0 ? ` AND ${clauses.join(' AND ')}` : '';
  }

  async resolveStart(start: ReadStart): Promise<string | undefined> {
    let position: number | undefined;
    if (start.kind === 'beginning') {
      position = this.db.prepare(`SELECT min(position) FROM events WHERE 1 = 1${this.scope}`).pluck().get(this.params) as number | undefined;
    } else if (start.kind === 'time') {
      position = this.db
        .prepare(`SELECT min(position) FROM events WHERE occurred_at >= @at${this.scope}`)
        .pluck()
        .get({ ...this.params, at: start.at }) as number | undefined;
    } else {
      const requested = Number(start.position);
      if (!Number.isSafeInteger(requested) || requested < 1) throw new Error(`not a position of the embedded log: ${start.position}`);
      position = this.db
        .prepare(`SELECT min(position) FROM events WHERE position >= @from${this.scope}`)
        .pluck()
        .get({ ...this.params, from: requested }) as number | undefined;
    }
    return position === undefined || position === null ? undefined : String(position);
  }

  async head(): Promise<string> {
    return String(this.db.prepare('SELECT coalesce(max(position), 0) FROM events').pluck().get());
  }

  async count(from: string, to: string): Promise<number> {
    return this.db
      .prepare(`SELECT count(*) FROM events WHERE position BETWEEN @from AND @to${this.scope}`)
      .pluck()
      .get({ ...this.params, from: Number(from), to: Number(to) }) as number;
  }

  async read(cursor: { from: string } | { after: string }, max: number): Promise<LoggedRecord[]> {
    const after = 'from' in cursor ? Number(cursor.from) - 1 : Number(cursor.after);
    const rows = this.db
      .prepare(`SELECT position, body FROM events WHERE position > @after${this.scope} ORDER BY position LIMIT @max`)
      .raw()
      .all({ ...this.params, after, max }) as Array<[number, string]>;
    return rows.map(([position, raw]) => ({ position: String(position), raw }));
  }

  compare(a: string, b: string): number {
    return Number(a) - Number(b);
  }
}

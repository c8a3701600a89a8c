import { ClickHouseClient } from '@clickhouse/client';
import { EnvelopeCheck, EventEnvelope, checkEnvelope } from '@waymark/domain';
import { DeadLetter, LoggedRecord } from '@waymark/event-log';
import { PersonalDataCodec } from '@waymark/privacy';
import { EVENT_COLUMNS, EventRow, insertRows, toEventRow } from '@waymark/read-model';

const USER_SEALED = { userSealedData: true } as const;

/** A batch checked and turned into rows, not inserted yet. */
export interface PreparedBatch {
  rows: EventRow[];
  deadLetters: DeadLetter[];
  /** Records of erased users: neither a row nor a dead letter (crypto-shredding, docs/privacy.md). */
  erased?: number;
}

export interface ProjectionResult {
  projected: number;
  deadLetters: DeadLetter[];
  /** Records left out because their user was erased (absent: none). */
  erased?: number;
}

/** A record whose user was erased: it becomes no row and no dead letter. */
const ERASED = Symbol('erased');
type Outcome = EventRow | DeadLetter | typeof ERASED;

/** Envelope checks done ahead of the rows, aligned with the records; undefined where no check was needed. */
type Checks = ReadonlyArray<EnvelopeCheck | undefined> | undefined;

/**
 * Writes a batch of log records into the raw events table. Records that fail the
 * envelope check (which holds them to the read model's limits) are returned as dead
 * letters instead of stopping the stream; a value that passes it and ClickHouse still
 * refuses fails the INSERT, and the projector bisects the batch around it.
 * `dedupToken` names the batch so that ClickHouse drops an identical retried insert.
 *
 * One INSERT per batch: cutting a batch into smaller INSERTs so that JavaScript encodes
 * one while ClickHouse inserts the other was measured slower here (more parts, and every
 * materialized view runs per INSERT): bench/micro/projection.micro.ts, docs/benchmarks.md.
 */
export class EventsProjection {
  constructor(
    private readonly client: ClickHouseClient,
    /** The live `events` table, or a replay's shadow table. */
    private readonly table = 'events',
    /**
     * Turns stored events (user named by subject, data sealed with the user's key) back
     * into the events the handlers made, and says which users were erased. Absent:
     * records are projected as stored (tests of the projection alone, logs written
     * before crypto-shredding with nothing to decode).
     */
    private readonly codec?: PersonalDataCodec,
  ) {}

  /**
   * Records prepared before their INSERT: each record of a refused INSERT (the projector
   * bisects it, inserting halves of it, then quarters..., every piece holding the same
   * record objects; without this each piece would parse and check its records again),
   * and the slices of a large batch (`prepareAhead`). The healthy path of a lone batch pays one failed lookup per
   * record; weak, so records go with the batch that holds them.
   */
  private readonly preparedBefore = new WeakMap<LoggedRecord, Outcome>();

  /** The table's column types for probes, read once from ClickHouse (see `probe`). */
  private probeTarget: Promise<string> | undefined;

  async project(records: readonly LoggedRecord[], dedupToken: string): Promise<ProjectionResult> {
    const checks = await this.loadKeys(records);
    const { prepared, remember } = this.prepareRemembering(records, checks);
    try {
      await this.insert(prepared, dedupToken);
    } catch (error) {
      remember();
      throw error;
    }
    return this.resultOf(prepared);
  }

  /**
   * Has ClickHouse parse the records' rows into the table's column types, and throws what
   * it throws if it refuses a value, without writing anything: the INSERT goes to a
   * `null(...)` table function of the same columns (the Null engine: no parts, no
   * materialized views), so it costs a few ms where a real INSERT costs tens. Answers
   * as `project` would have (rows that would be projected, envelope dead letters). The
   * projector finds the events ClickHouse refuses with it; refusals raised only by a
   * view or by the table itself are not seen here, and the projector falls back to real
   * INSERTs for them.
   */
  async probe(records: readonly LoggedRecord[]): Promise<ProjectionResult> {
    const checks = await this.loadKeys(records);
    const { prepared, remember } = this.prepareRemembering(records, checks);
    remember();
    if (prepared.rows.length > 0) {
      this.probeTarget ??= this.nullTableOf(this.table).catch((error: unknown) => {
        this.probeTarget = undefined;
        throw error;
      });
      await this.client.insert({ table: await this.probeTarget, columns: [...EVENT_COLUMNS], values: prepared.rows, format: 'JSONCompactEachRow' });
    }
    return this.resultOf(prepared);
  }

  /**
   * What decoding `records` needs, loaded (their users' keys, the erasures of clear
   * identifiers): await it before `prepare`. Checks each record's envelope on the way,
   * and answers the checks so that preparing the rows does not parse them again.
   * Throws when the key store cannot answer: the caller fails (and retries) the batch,
   * it never projects or drops an event it could not decode. Nothing to do without a
   * codec, nor for records prepared before.
   */
  async loadKeys(records: readonly LoggedRecord[]): Promise<Checks> {
    const codec = this.codec;
    if (!codec) return undefined;
    const checks = new Array<EnvelopeCheck | undefined>(records.length);
    const envelopes: EventEnvelope[] = [];
    for (let index = 0; index < records.length; index += 1) {
      if (this.preparedBefore.has(records[index])) continue;
      const check = checkEnvelope(records[index].raw);
      checks[index] = check;
      if (check.ok) envelopes.push(check.event);
    }
    if (envelopes.length > 0) await codec.prepareDecode(envelopes);
    return checks;
  }

  /** What `project` and `probe` answer; `erased` only when there is a codec to say who was erased. */
  private resultOf(prepared: PreparedBatch): ProjectionResult {
    const result: ProjectionResult = { projected: prepared.rows.length, deadLetters: prepared.deadLetters };
    if (this.codec) result.erased = prepared.erased ?? 0;
    return result;
  }

  /** `FUNCTION null('<name> <type>, ...')` with the inserted columns' types as the table declares them. */
  private async nullTableOf(table: string): Promise<string> {
    const result = await this.client.query({
      query: 'SELECT name, type FROM system.columns WHERE database = currentDatabase() AND table = {table:String} ORDER BY position',
      query_params: { table },
      format: 'JSONEachRow',
    });
    const types = new Map((await result.json<{ name: string; type: string }>()).map(({ name, type }) => [name, type]));
    const missing = EVENT_COLUMNS.filter((column) => !types.has(column));
    if (missing.length > 0) throw new Error(`table ${table} has no column ${missing.join(', ')}`);
    const structure = EVENT_COLUMNS.map((column) => `${column} ${types.get(column)}`).join(', ');
    return `FUNCTION null('${structure.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}')`;
  }

  /**
   * Prepares `records`, from `preparedOfRefused` where they were prepared before;
   * `remember()` keeps the outcomes there, for the pieces of a refused batch to come.
   */
  private prepareRemembering(records: readonly LoggedRecord[], checks: Checks): { prepared: PreparedBatch; remember: () => void } {
    const outcomes = records.map((record, index) => this.preparedBefore.get(record) ?? this.prepareRecord(record, checks?.[index]));
    const prepared: PreparedBatch = { rows: [], deadLetters: [], erased: 0 };
    for (const outcome of outcomes) addOutcome(prepared, outcome);
    return { prepared, remember: () => records.forEach((record, i) => this.preparedBefore.set(record, outcomes[i])) };
  }

  /**
   * The JavaScript half of `project`: checks each envelope and builds its row. Split out
   * so that a reader with no checkpoint to keep (replay) can prepare batch n+1 while
   * ClickHouse inserts batch n. With a codec, `checks` must come from `loadKeys` of
   * the same records (awaited): `prepareLoaded` does both.
   */
  prepare(records: readonly LoggedRecord[], checks?: Checks): PreparedBatch {
    if (this.codec && !checks) throw new Error('EventsProjection.prepare: await loadKeys(records) first (or use prepareLoaded)');
    const prepared: PreparedBatch = { rows: [], deadLetters: [], erased: 0 };
    for (let index = 0; index < records.length; index += 1) addOutcome(prepared, this.prepareRecord(records[index], checks?.[index]));
    return prepared;
  }

  /** `loadKeys` then `prepare`: the rows of `records`, decoded. */
  async prepareLoaded(records: readonly LoggedRecord[]): Promise<PreparedBatch> {
    return this.prepare(records, await this.loadKeys(records));
  }

  /**
   * Prepares `records` now for a `project` of them to come, which then only inserts: the
   * projector builds a large batch's rows a slice at a time, between turns of the event
   * loop.
   */
  async prepareAhead(records: readonly LoggedRecord[]): Promise<void> {
    const checks = await this.loadKeys(records);
    records.forEach((record, index) => {
      if (!this.preparedBefore.has(record)) this.preparedBefore.set(record, this.prepareRecord(record, checks?.[index]));
    });
  }

  /**
   * One record's row, or its dead letter when it fails the envelope check or cannot
   * become a row, or ERASED when its user was erased. With a codec, the record's keys
   * were loaded (`loadKeys`) and its check is given. A decode that throws (a key not
   * loaded, a key that does not open) is thrown: the batch fails and is retried, since
   * dead-lettering would lose an event that a working key store decodes.
   */
  private prepareRecord(record: LoggedRecord, checked?: EnvelopeCheck): Outcome {
    const check = checked ?? checkEnvelope(record.raw);
    if (!check.ok) return { record, reason: check.reason };
    // Session data stays sealed with the user's key in the read model (UserDataOpener opens
    // it): no AES-GCM per session start here, and a replay writes the very bytes the log
    // holds, so it reproduces the rows exactly.
    const event = this.codec ? this.codec.decode(check.event, USER_SEALED) : check.event;
    if (event === undefined) return ERASED;
    try {
      return toEventRow(event, record.position);
    } catch (error) {
      // The same record fails the same way on every attempt: thrown from here it would
      // fail the whole batch for ever (say a `data` nested past what JSON.stringify's
      // recursion survives, were the envelope check ever to let one through).
      return { record, reason: `cannot build the row: ${error instanceof Error ? error.message : String(error)}` };
    }
  }

  /**
   * The ClickHouse half of `project`: one INSERT of the batch's rows (`insertRows`: on
   * chDB its raw insert, which has the INSERT under way when this returns its promise).
   */
  insert(prepared: PreparedBatch, dedupToken: string): Promise<void> {
    return insertRows(this.client, { table: this.table, columns: EVENT_COLUMNS, rows: prepared.rows, dedupToken });
  }
}

function addOutcome(prepared: PreparedBatch, outcome: Outcome): void {
  if (outcome === ERASED) prepared.erased = (prepared.erased ?? 0) + 1;
  else if (Array.isArray(outcome)) prepared.rows.push(outcome);
  else prepared.deadLetters.push(outcome);
}

import { EventEnvelope, checkEnvelope } from '@waymark/domain';
import { LoggedRecord, ReadFilter, UserReadFilter } from '@waymark/event-log';
import { PersonalDataCodec } from '@waymark/privacy';
import { SqliteConnection } from '@waymark/sqlite';
import { CliIo, UsageError } from '../cli-command';

/**
 * The event tools show events as the API made them, not as the log stores them
 * (crypto-shredding, docs/privacy.md): a stored event names its user by a subject and
 * seals its data with the user's key, which an operator can neither read nor filter
 * on. These helpers decode what the tools print, leave out the events of erased users
 * (they are gone for every reader), and find a user's events by identifier.
 */

/** A batch of records as the tools print them. */
export interface DecodedBatch {
  /** One NDJSON line per record kept, in the records' order. */
  lines: string[];
  /** The records kept, aligned with `lines` (their positions, for cursors). */
  records: LoggedRecord[];
  /** Records of erased users, left out. */
  erased: number;
}

/**
 * Decodes `records` for printing. Records that are not envelopes, and events stored as
 * made (written before crypto-shredding, or concerning no user), are printed as they
 * are in the log; events stored under a subject are printed decoded. Without a codec,
 * every record is printed as it is. `identifier`: keep only this user's events (matched
 * on the decoded identifier). Throws when the key store cannot answer.
 */
export async function decodeForPrinting(records: readonly LoggedRecord[], codec: PersonalDataCodec | undefined, identifier?: string): Promise<DecodedBatch> {
  if (!codec) return { lines: records.map((record) => record.raw), records: [...records], erased: 0 };
  const checked = records.map((record) => {
    const check = checkEnvelope(record.raw);
    return check.ok ? check.event : undefined;
  });
  await codec.prepareDecode(checked.filter((event): event is EventEnvelope => event !== undefined));
  const batch: DecodedBatch = { lines: [], records: [], erased: 0 };
  records.forEach((record, index) => {
    const stored = checked[index];
    const decoded = stored && codec.decode(stored);
    if (stored && !decoded) {
      batch.erased += 1;
      return;
    }
    if (identifier !== undefined && decoded?.identifier !== identifier) return;
    batch.lines.push(decoded === stored ? record.raw : JSON.stringify(decoded));
    batch.records.push(record);
  });
  return batch;
}

/**
 * The filter for the embedded log, whose `identifier` column holds a clear identifier
 * for events written before crypto-shredding and the user's subject for those since:
 * with `--identifier`, the user's subject in each product (`products`: the one asked,
 * or every product the log holds) is added, found without creating a key.
 */
export async function withSubjects(filter: ReadFilter, codec: PersonalDataCodec | undefined, products: () => string[]): Promise<UserReadFilter> {
  if (!codec || filter.identifier === undefined) return filter;
  const subjects: string[] = [];
  for (const product of filter.product !== undefined ? [filter.product] : products()) {
    const key = await codec.keys.find(product, filter.identifier);
    if (key) subjects.push(key.subject);
  }
  return { ...filter, subjects };
}

/**
 * The codec (or what holds it) when the service's keys can be found, otherwise undefined with a warning:
 * the tools then show events as stored (users named by subject, nothing readable), as
 * on a log written before crypto-shredding, rather than refuse to run.
 */
export async function codecIfKeys<T>(open: () => T | Promise<T>, io: CliIo): Promise<T | undefined> {
  try {
    return await open();
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.err(`warning: events are shown as stored, not decoded: ${error.message}`);
    return undefined;
  }
}

/** Every product the embedded log holds events of (one scan of the log, for `--identifier` without `--product`). */
export function productsOf(db: SqliteConnection): () => string[] {
  return () => db.prepare('SELECT DISTINCT product FROM events').pluck().all() as string[];
}

import { EventEnvelope, SessionSpec, StoredSpec } from '@waymark/domain';
import { SqliteEventLog } from '@waymark/event-log';
import { GroupCommitWriter, SqliteConnection } from '@waymark/sqlite';
import { SpecStore } from '../spec-store.port';

interface SpecRow {
  product: string;
  tag: string;
  revision: number;
  deleted: number;
  body: string;
}

/** Session specs in the embedded database, each change committed with its event. */
export class SqliteSpecStore implements SpecStore {
  private readonly selectAll;
  private readonly selectOne;
  private readonly insert;
  private readonly updateRow;

  constructor(
    db: SqliteConnection,
    private readonly writer: GroupCommitWriter,
    private readonly eventLog: SqliteEventLog,
  ) {
    this.selectAll = db.prepare('SELECT * FROM session_specs ORDER BY product, tag');
    this.selectOne = db.prepare('SELECT * FROM session_specs WHERE product = ? AND tag = ?');
    this.insert = db.prepare('INSERT INTO session_specs (product, tag, revision, deleted, body) VALUES (?, ?, ?, ?, ?)');
    this.updateRow = db.prepare('UPDATE session_specs SET revision = ?, deleted = ?, body = ? WHERE product = ? AND tag = ? AND revision = ?');
  }

  async list(): Promise<StoredSpec[]> {
    return (this.selectAll.all() as SpecRow[]).map(toStored);
  }

  async get(product: string, tag: string): Promise<StoredSpec | undefined> {
    const row = this.selectOne.get(product, tag) as SpecRow | undefined;
    return row && toStored(row);
  }

  save(stored: StoredSpec, expectedRevision: number, events: readonly EventEnvelope[]): Promise<boolean> {
    const body = JSON.stringify(stored.spec);
    const deleted = stored.deleted ? 1 : 0;
    return this.writer.run(() => {
      if (expectedRevision === 0) {
        if (this.selectOne.get(stored.product, stored.spec.tag)) return false;
        this.insert.run(stored.product, stored.spec.tag, stored.revision, deleted, body);
      } else if (this.updateRow.run(stored.revision, deleted, body, stored.product, stored.spec.tag, expectedRevision).changes === 0) {
        return false;
      }
      this.eventLog.appendWithin(events);
      return true;
    });
  }
}

function toStored(row: SpecRow): StoredSpec {
  return { product: row.product, spec: JSON.parse(row.body) as SessionSpec, revision: row.revision, deleted: row.deleted === 1 };
}

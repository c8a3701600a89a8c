import { createHash } from 'node:crypto';
import { DeadLetter, LoggedRecord } from '@waymark/event-log';
import { ProjectionResult } from './events.projection';
import { ValueRefusal } from './insert-refusal';

/** One try of a piece of a batch: it passed, or ClickHouse refused a value in it. */
export type PieceOutcome = { inserted: ProjectionResult } | { refused: ValueRefusal };

/**
 * Inserts one piece for real (with its dedup token), or only parses it (a probe: no
 * token, nothing written). The projector's implementations retry retryable failures
 * themselves (a step that meets a dropped connection is retried, not restarted), so
 * they answer only once the outcome is final; they throw when the projector stops
 * meanwhile, and the batch is then left uncommitted.
 */
export type InsertPiece = (records: readonly LoggedRecord[], dedupToken: string) => Promise<PieceOutcome>;
/** Throws PROBES_UNAVAILABLE when a probe fails otherwise than by a value refusal. */
export type ProbePiece = (records: readonly LoggedRecord[]) => Promise<PieceOutcome>;

/**
 * A probe that failed for another reason than a value (ClickHouse unreachable for a
 * moment, a server that does not let this user insert into a table function): the
 * isolation goes on with real INSERTs, which retry on their own, rather than waiting on
 * a shortcut that may never come back.
 */
export const PROBES_UNAVAILABLE = new Error('probes unavailable: the isolation goes on with real INSERTs');

export interface IsolationResult extends ProjectionResult {
  /** Pieces parsed without being written (probes). */
  probes: number;
  /** Real INSERTs, the batch's first one not counted. */
  inserts: number;
  /** Events ClickHouse refused, now among `deadLetters`. */
  refused: number;
}

/**
 * Projects a batch ClickHouse refused (`refusal`, its answer to the whole INSERT) around
 * the events it refuses, in two steps:
 *
 * 1. Find them by bisection with probes: pieces are parsed by ClickHouse into the
 *    table's column types and thrown away (a `Null` table: no views, no parts), which
 *    costs a few ms where a real INSERT costs ~35 ms or more of fixed work on chDB
 *    (every materialized view runs per INSERT). Each event refused on its own becomes
 *    a dead letter with ClickHouse's reason.
 * 2. Insert every other event in one INSERT. If ClickHouse still refuses it (a refusal a
 *    probe cannot see: one raised by a view, or a batch spanning too many partitions),
 *    bisect that INSERT itself with real pieces (`bisectInserts`).
 *
 * Every INSERT has its own dedup token derived from the batch's (`restToken`,
 * `pieceToken`), the same on every run over the same batch: after a crash the batch is
 * read again and whatever was inserted before is dropped by ClickHouse.
 */
export async function projectAroundRefusals(
  records: readonly LoggedRecord[],
  batchToken: string,
  refusal: ValueRefusal,
  probe: ProbePiece,
  insert: InsertPiece,
): Promise<IsolationResult> {
  const result: IsolationResult = { projected: 0, deadLetters: [], erased: 0, probes: 0, inserts: 0, refused: 0 };
  const refusedAt = new Map<number, ValueRefusal>();
  if (!widthOnly(refusal)) {
    try {
      result.probes = await bisect(records.length, refusal, (from, to) => probe(records.slice(from, to)), {
        passed: () => undefined,
        refused: (index, why) => refusedAt.set(index, why),
      });
    } catch (error) {
      if (error !== PROBES_UNAVAILABLE) throw error;
      // Real INSERTs find the same offenders, only slower: forget what the probes found.
      refusedAt.clear();
    }
  }
  const rest = records.filter((_, index) => !refusedAt.has(index));
  const letters: Array<[number, DeadLetter]> = [...refusedAt].map(([index, why]) => [index, refusedLetter(records[index], why)]);
  if (rest.length > 0) {
    const token = restToken(batchToken, [...refusedAt.keys()]);
    const whole = await insert(rest, token);
    result.inserts += 1;
    const inserted = 'inserted' in whole ? { ...whole.inserted, inserts: 0, refused: 0 } : await bisectInserts(rest, token, whole.refused, insert);
    result.projected += inserted.projected;
    // Erased users' records make no row, so no refusal: they all go with the rest.
    result.erased = (result.erased ?? 0) + (inserted.erased ?? 0);
    result.inserts += inserted.inserts;
    result.refused += inserted.refused;
    const indexOf = new Map(records.map((record, index) => [record, index]));
    for (const letter of inserted.deadLetters) letters.push([indexOf.get(letter.record) ?? records.length, letter]);
  }
  result.refused += refusedAt.size;
  // In the log's order, whichever step found them.
  result.deadLetters = letters.sort(([a], [b]) => a - b).map(([, letter]) => letter);
  return result;
}

/**
 * Bisection with real INSERTs: splits the refused `records` in halves, inserts each
 * under its own `pieceToken`, and splits again each half that is refused, down to single
 * events, which are dead-lettered with ClickHouse's reason. The fallback for refusals a
 * probe cannot see; about 2·log2(n) INSERTs per offender.
 */
export async function bisectInserts(
  records: readonly LoggedRecord[],
  token: string,
  refusal: ValueRefusal,
  insert: InsertPiece,
): Promise<ProjectionResult & { inserts: number; refused: number }> {
  const result = { projected: 0, deadLetters: [] as DeadLetter[], erased: 0, inserts: 0, refused: 0 };
  result.inserts = await bisect(records.length, refusal, async (from, to) => insert(records.slice(from, to), pieceToken(token, from, to)), {
    passed: (_from, _to, inserted) => {
      result.projected += inserted.projected;
      result.erased += inserted.erased ?? 0;
      result.deadLetters.push(...inserted.deadLetters);
    },
    refused: (index, why) => {
      result.deadLetters.push(refusedLetter(records[index], why));
      result.refused += 1;
    },
  });
  return result;
}

/**
 * The dedup token of the piece `[from, to)` of what `token` names: that token, `#`, and
 * the piece's index range. Deterministic, because bisection is (it splits at the same
 * indices on the same answers). Distinct pieces have distinct ranges, and every token
 * begins with its batch's, whose text never contains `#`, so no piece collides with
 * another batch or with another piece.
 */
export function pieceToken(token: string, from: number, to: number): string {
  return `${token}#${from}-${to - 1}`;
}

/**
 * The dedup token of a batch without the events at `refused` (indices in the batch):
 * the batch's token, `#-`, and those indices (hashed when many), so it differs from the
 * batch's and from every piece's (`#<from>-<to>`), and is the same on every run that
 * finds the same offenders.
 */
export function restToken(batchToken: string, refused: readonly number[]): string {
  const list = [...refused].sort((a, b) => a - b).join('.');
  return `${batchToken}#-${list.length <= 64 ? list : createHash('sha1').update(list).digest('hex')}`;
}

interface Piece {
  from: number;
  to: number;
  /** The refused piece this one is half of; the right half learns from the left one. */
  parent?: { refusal: ValueRefusal; leftPassed: boolean };
  side?: 'left' | 'right';
}

/**
 * The traversal both steps share, over the indices `[0, count)` already refused as a
 * whole: halves left first (so offenders come in the log's order), each half that is
 * refused split again, single events refused on their own reported. One shortcut: when a
 * refused piece's left half passes, its right half must hold the offender and is split
 * at once without a try (unless it is a single event, tried for its own reason). That
 * does not hold for "too many partitions", where every half is tried. Returns the tries.
 */
async function bisect<T>(
  count: number,
  refusal: ValueRefusal,
  attempt: (from: number, to: number) => Promise<{ inserted: T } | { refused: ValueRefusal }>,
  on: { passed: (from: number, to: number, outcome: T) => void; refused: (index: number, why: ValueRefusal) => void },
): Promise<number> {
  if (count === 1) {
    on.refused(0, refusal);
    return 0;
  }
  let tries = 0;
  const stack: Piece[] = [];
  const split = (from: number, to: number, why: ValueRefusal) => {
    const mid = from + Math.ceil((to - from) / 2);
    const parent = { refusal: why, leftPassed: false };
    stack.push({ from: mid, to, parent, side: 'right' }, { from, to: mid, parent, side: 'left' });
  };
  split(0, count, refusal);
  while (stack.length > 0) {
    const piece = stack.pop()!;
    const { from, to, parent } = piece;
    const provenBad = piece.side === 'right' && parent !== undefined && parent.leftPassed && !widthOnly(parent.refusal);
    if (provenBad && to - from > 1) {
      split(from, to, parent.refusal);
      continue;
    }
    const outcome = await attempt(from, to);
    tries += 1;
    if ('inserted' in outcome) {
      on.passed(from, to, outcome.inserted);
      if (piece.side === 'left' && parent) parent.leftPassed = true;
    } else if (to - from === 1) {
      on.refused(from, outcome.refused);
    } else {
      split(from, to, outcome.refused);
    }
  }
  return tries;
}

/** TOO_MANY_PARTS for a batch spanning too many months: a property of the piece, not of an event in it. */
function widthOnly(refusal: ValueRefusal): boolean {
  return refusal.code === 252;
}

function refusedLetter(record: LoggedRecord, refusal: ValueRefusal): DeadLetter {
  return { record, reason: `refused by ClickHouse: ${refusal.reason}` };
}

import { DeadLetter, LoggedRecord } from '@waymark/event-log';
import { ProjectionResult } from './events.projection';
import { ValueRefusal } from './insert-refusal';

/** One insert of a piece of a batch: inserted, or refused by ClickHouse for a value. */
export type PieceOutcome = { inserted: ProjectionResult } | { refused: ValueRefusal };

/**
 * Inserts one piece. The projector's implementation retries retryable failures itself
 * (a step that meets a dropped connection is retried, not restarted), so this answers
 * only once the outcome is final; it throws when the projector stops meanwhile, and the
 * batch is then left uncommitted.
 */
export type InsertPiece = (records: readonly LoggedRecord[], dedupToken: string) => Promise<PieceOutcome>;

export interface BisectionResult extends ProjectionResult {
  /** Pieces inserted or tried. */
  inserts: number;
  /** Events ClickHouse refused, now among `deadLetters`. */
  refused: number;
}

/**
 * The dedup token of the piece `[from, to)` of a batch: the batch's token and the
 * piece's index range. Deterministic, because bisection is (it splits at the same
 * indices on the same outcomes): a crash mid-bisection re-reads the batch, and the
 * pieces inserted before the crash get the same tokens and are dropped by ClickHouse.
 * Distinct pieces of a batch have distinct ranges, and every token begins with its
 * batch's, whose text never contains `#`, so no piece collides with another batch or
 * with another piece.
 */
export function pieceToken(batchToken: string, from: number, to: number): string {
  return `${batchToken}#${from}-${to - 1}`;
}

interface Piece {
  from: number;
  to: number;
  /** The refused piece this one is half of; the right half learns from the left one. */
  parent?: { refusal: ValueRefusal; leftInserted: boolean };
  side?: 'left' | 'right';
}

/**
 * Projects a batch ClickHouse refused (`refusal`, its answer to the whole batch) around
 * the events it refuses: splits the batch in halves, inserts each, and splits again
 * every half that is refused, down to single events. Every event that can be stored is
 * inserted; each one refused on its own becomes a dead letter with ClickHouse's reason.
 * Halves are taken left first, so the dead letters keep the log's order.
 *
 * k offenders in n events cost about 2·k·log2(n) inserts. One shortcut: when a refused
 * piece's left half goes in, its right half must hold the offender and is split at once
 * without being tried (unless it is a single event, which is tried for its own reason).
 * That does not hold for "too many partitions" (the batch as a whole was too wide, no
 * single event is at fault), where every half is tried.
 */
export async function projectAroundRefusals(
  records: readonly LoggedRecord[],
  batchToken: string,
  refusal: ValueRefusal,
  insert: InsertPiece,
): Promise<BisectionResult> {
  const result: BisectionResult = { projected: 0, deadLetters: [], inserts: 0, refused: 0 };
  const refuse = (record: LoggedRecord, why: ValueRefusal) => {
    result.deadLetters.push(refusedLetter(record, why));
    result.refused += 1;
  };
  if (records.length === 1) {
    refuse(records[0], refusal);
    return result;
  }
  const stack: Piece[] = [];
  const split = (from: number, to: number, why: ValueRefusal) => {
    const mid = from + Math.ceil((to - from) / 2);
    const parent = { refusal: why, leftInserted: false };
    stack.push({ from: mid, to, parent, side: 'right' }, { from, to: mid, parent, side: 'left' });
  };
  split(0, records.length, refusal);
  while (stack.length > 0) {
    const piece = stack.pop()!;
    const { from, to, parent } = piece;
    const provenBad = piece.side === 'right' && parent !== undefined && parent.leftInserted && !widthOnly(parent.refusal);
    if (provenBad && to - from > 1) {
      split(from, to, parent.refusal);
      continue;
    }
    const outcome = await insert(records.slice(from, to), pieceToken(batchToken, from, to));
    result.inserts += 1;
    if ('inserted' in outcome) {
      result.projected += outcome.inserted.projected;
      result.deadLetters.push(...outcome.inserted.deadLetters);
      if (piece.side === 'left' && parent) parent.leftInserted = true;
    } else if (to - from === 1) {
      refuse(records[from], outcome.refused);
    } else {
      split(from, to, outcome.refused);
    }
  }
  return result;
}

/** TOO_MANY_PARTS for a batch spanning too many months: a property of the piece, not of an event in it. */
function widthOnly(refusal: ValueRefusal): boolean {
  return refusal.code === 252;
}

function refusedLetter(record: LoggedRecord, refusal: ValueRefusal): DeadLetter {
  return { record, reason: `refused by ClickHouse: ${refusal.reason}` };
}

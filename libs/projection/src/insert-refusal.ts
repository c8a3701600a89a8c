/**
 * Which failed INSERTs retrying cannot fix.
 *
 * ClickHouse refuses some rows for what they hold: a value it cannot parse, one outside
 * its type's range, a string too long. The same rows are refused on every attempt, so a
 * projector that retries them stops the read model for every tenant. Everything else
 * (connection refused or reset, timeouts, too many parts, memory, a server restarting,
 * and any error we do not recognise) may pass on a later attempt and is retried.
 *
 * The classification is deliberately narrow: an error wrongly taken for a value refusal
 * sends healthy events to the dead letters (kept, and redrivable, but out of the read
 * model until then); one wrongly taken for retryable only stalls, as before. So only
 * ClickHouse exception codes that name a value are listed, never ones a schema or
 * configuration mistake raises for every row (UNKNOWN_TABLE, NO_SUCH_COLUMN_IN_TABLE,
 * ILLEGAL_TYPE_OF_ARGUMENT...): those must stall and be seen, not empty the stream into
 * the dead letters.
 *
 * Codes and names from ClickHouse's src/Common/ErrorCodes.cpp. chDB and the HTTP
 * client both surface them as a `ClickHouseError` with `code` (the number, as a string)
 * and `type` (the name); a connection error has a Node `code` such as `ECONNREFUSED`
 * and no `type`.
 */
const VALUE_REFUSALS: ReadonlyMap<number, string> = new Map([
  [6, 'CANNOT_PARSE_TEXT'],
  [25, 'CANNOT_PARSE_ESCAPE_SEQUENCE'], // chDB: a lone UTF-16 surrogate in a string column
  [26, 'CANNOT_PARSE_QUOTED_STRING'],
  [27, 'CANNOT_PARSE_INPUT_ASSERTION_FAILED'],
  [38, 'CANNOT_PARSE_DATE'],
  [41, 'CANNOT_PARSE_DATETIME'], // chDB: an impossible date such as 2026-02-30
  [53, 'TYPE_MISMATCH'],
  [69, 'ARGUMENT_OUT_OF_BOUND'],
  [70, 'CANNOT_CONVERT_TYPE'],
  [72, 'CANNOT_PARSE_NUMBER'], // chDB: a negative number into an unsigned column
  [117, 'INCORRECT_DATA'],
  [131, 'TOO_LARGE_STRING_SIZE'],
  [190, 'SIZES_OF_ARRAYS_DOESNT_MATCH'],
  [321, 'VALUE_IS_OUT_OF_RANGE_OF_DATA_TYPE'],
  [349, 'CANNOT_INSERT_NULL_IN_ORDINARY_COLUMN'],
  [376, 'CANNOT_PARSE_UUID'],
  [407, 'DECIMAL_OVERFLOW'],
  [441, 'CANNOT_PARSE_DOMAIN_VALUE_FROM_STRING'],
  [467, 'CANNOT_PARSE_BOOL'],
  [691, 'UNKNOWN_ELEMENT_OF_ENUM'],
]);

const TOO_MANY_PARTS = 252;
/**
 * TOO_MANY_PARTS names two failures. "Too many parts (N). Merges are processing
 * significantly slower than inserts" passes once merges catch up: retry. "Too many
 * partitions for single INSERT block" is the batch's own doing (its events span more
 * months than `max_partitions_per_insert_block`): the same batch fails forever, and
 * smaller pieces of it pass, so it is handled like a value refusal (bisected), and no
 * single event is ever refused for it.
 */
const TOO_MANY_PARTITIONS_MESSAGE = /partitions for single insert block/i;

/** A failed INSERT that would fail again with the same rows, and ClickHouse's words for it. */
export interface ValueRefusal {
  /** ClickHouse's exception name, e.g. CANNOT_PARSE_DATETIME. */
  type: string;
  code: number;
  /** `<type> (code <n>): <first line of ClickHouse's message>`, short enough for a Kafka header. */
  reason: string;
}

/** The longest reason kept: ClickHouse appends row dumps and hints that make a poor header. */
const MAX_REASON_LENGTH = 500;

/** The value refusal this error is, or undefined when retrying might succeed. */
export function valueRefusalOf(error: unknown): ValueRefusal | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const { code, type, message } = error as { code?: unknown; type?: unknown; message?: unknown };
  if (typeof type !== 'string' || !/^\d+$/.test(String(code))) return undefined;
  const number = Number(code);
  const text = typeof message === 'string' ? message : '';
  const refused = VALUE_REFUSALS.get(number) === type || (number === TOO_MANY_PARTS && TOO_MANY_PARTITIONS_MESSAGE.test(text));
  if (!refused) return undefined;
  return { type, code: number, reason: shorten(`${type} (code ${number}): ${firstLine(text)}`) };
}

function firstLine(text: string): string {
  const end = text.indexOf('\n');
  return (end < 0 ? text : text.slice(0, end)).trim();
}

function shorten(text: string): string {
  return text.length <= MAX_REASON_LENGTH ? text : `${text.slice(0, MAX_REASON_LENGTH - 1)}…`;
}

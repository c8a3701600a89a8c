import { valueRefusalOf } from './insert-refusal';

/** As @clickhouse/client's ClickHouseError arrives, from chDB or parsed off an HTTP answer. */
const clickhouseError = (code: number, type: string, message: string) => Object.assign(new Error(message), { code: String(code), type });

describe('valueRefusalOf', () => {
  it.each([
    [25, 'CANNOT_PARSE_ESCAPE_SEQUENCE', 'Cannot parse escape sequence: missing second part of surrogate pair'], // chDB, measured
    [41, 'CANNOT_PARSE_DATETIME', 'Cannot read DateTime: unexpected date: 2026-2-30: (while reading the value of key occurred_at).'], // chDB, measured
    [72, 'CANNOT_PARSE_NUMBER', "Unsigned type must not contain '-' symbol: (while reading the value of key version)"], // chDB, measured
    [376, 'CANNOT_PARSE_UUID', 'Cannot parse UUID from String: invalid format'], // chDB, measured
    [321, 'VALUE_IS_OUT_OF_RANGE_OF_DATA_TYPE', 'Value 300 is out of range'],
    [53, 'TYPE_MISMATCH', 'Type mismatch'],
    [131, 'TOO_LARGE_STRING_SIZE', 'String too large'],
  ])('takes %s %s for a value refusal, with a reason naming it', (code, type, message) => {
    expect(valueRefusalOf(clickhouseError(code, type, message))).toEqual({ code, type, reason: `${type} (code ${code}): ${message}` });
  });

  it('splits (as a refusal) a batch too wide for one INSERT, but retries too many parts from slow merges', () => {
    expect(valueRefusalOf(clickhouseError(252, 'TOO_MANY_PARTS', 'Too many partitions for single INSERT block (more than 100).'))?.code).toBe(252);
    expect(
      valueRefusalOf(clickhouseError(252, 'TOO_MANY_PARTS', 'Too many parts (3001). Merges are processing significantly slower than inserts')),
    ).toBeUndefined();
  });

  it.each([
    ['connection refused', Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:8123'), { code: 'ECONNREFUSED' })],
    ['connection reset', Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' })],
    ['a timeout', new Error('Timeout error.')],
    ['memory', clickhouseError(241, 'MEMORY_LIMIT_EXCEEDED', 'Memory limit (total) exceeded')],
    ['a missing table (a deployment mistake, not a value)', clickhouseError(60, 'UNKNOWN_TABLE', 'Table default.events does not exist')],
    ['a code whose name does not match', clickhouseError(25, 'SOMETHING_ELSE', 'x')],
    ['not an error', 'ECONNREFUSED'],
    ['nothing', undefined],
  ])('retries %s', (_case, error) => {
    expect(valueRefusalOf(error)).toBeUndefined();
  });

  it("keeps the first line of ClickHouse's message, short enough for a Kafka header", () => {
    const long = clickhouseError(72, 'CANNOT_PARSE_NUMBER', `Unsigned type must not contain '-' symbol: (at row 1)\n: \nRow 1:\nColumn 0, name: event_id`);
    expect(valueRefusalOf(long)?.reason).toBe("CANNOT_PARSE_NUMBER (code 72): Unsigned type must not contain '-' symbol: (at row 1)");
    const huge = clickhouseError(6, 'CANNOT_PARSE_TEXT', 'x'.repeat(5_000));
    expect(valueRefusalOf(huge)?.reason.length).toBe(500);
  });
});

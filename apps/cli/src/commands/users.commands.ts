import { ErasureReceipt, WaymarkClient, WaymarkError } from '@waymark/sdk';
import { createWriteStream, WriteStream } from 'node:fs';
import { CliCommand, CliIo, EXIT, UsageError } from '../cli-command';
import { ProgressLine } from '../progress-bar';
import { openUserExport } from './user-export-stream';

/** An erasure waits for the read model to catch up (the service answers 503 after 30 s): more than the SDK's default. */
const ERASE_TIMEOUT_MS = 120_000;
/** How long an export may take to start answering (its lines then stream for as long as they come). */
const EXPORT_TIMEOUT_MS = 60_000;

const TARGET = `Against a running service: --url (default $WAYMARK_URL or http://localhost:3000), --key
(default $WAYMARK_API_KEY)`;

const EXIT_CODES = `Exit status: 0 done; 1 refused or failed (the service's problem is shown: status, title,
code, detail and each field at fault); 2 bad usage.`;

function required(values: Record<string, unknown>, name: string): string {
  const value = values[name];
  if (typeof value !== 'string' || value === '') throw new UsageError(`--${name} is required`);
  return value;
}

/** Options given several times (`--env a --env b`); absent means every one. */
function many(values: Record<string, unknown>, name: string): string[] | undefined {
  const value = values[name] as string[] | string | undefined;
  if (value === undefined) return undefined;
  return Array.isArray(value) ? value : [value];
}

/** --url / $WAYMARK_URL (default http://localhost:3000) and --key / $WAYMARK_API_KEY, as `replay --url` takes them. */
function serviceTarget(values: Record<string, unknown>, io: CliIo, role: string): { baseUrl: string; apiKey: string } {
  const apiKey = (values.key as string | undefined) ?? io.env.WAYMARK_API_KEY;
  if (!apiKey) throw new UsageError(`--key or WAYMARK_API_KEY is required (${role})`);
  const baseUrl = (values.url as string | undefined) ?? io.env.WAYMARK_URL ?? 'http://localhost:3000';
  if (!/^https?:\/\/[^/]/.test(baseUrl)) throw new UsageError(`--url: an http(s) address is needed, not "${baseUrl}"`);
  return { baseUrl, apiKey };
}

/** A refusal as the service put it (RFC 9457): status, title and code, the detail, then each field at fault on its own line. */
export function describeProblem(error: WaymarkError): string {
  const { problem } = error;
  const head = error.status === 0 ? problem.title : `${error.status} ${problem.title} (${error.code})`;
  const fields = error.fieldErrors.map((field) => `\n  ${field.field}: ${field.message}`).join('');
  return `${head}: ${problem.detail}${fields}`;
}

/** A refusal shown as the service put it, and what to do when the service says to retry. */
function refused(command: string, error: WaymarkError, io: CliIo, retryNote?: string): number {
  io.err(`waymark ${command}: ${describeProblem(error)}`);
  if (error.status === 503 && retryNote) {
    io.err(`${retryNote}${error.retryAfterSeconds === undefined ? '' : ` (the service asks to wait ${error.retryAfterSeconds} s)`}`);
  }
  return EXIT.failed;
}

export const usersEraseCommand: CliCommand = {
  name: 'users erase',
  summary: "Erase one user's data (sessions, key, read-model rows); prints the receipt.",
  usage: `waymark users erase --product P --identifier ID [--env E]... [--tag T]... [--url URL --key KEY]

Asks the running service to erase one user (POST /v1/users/erase, docs/privacy.md): their
live sessions are revoked and their session records emptied, their key is destroyed (their
events in the log and its copies can no longer be read, by a replay either), their rows are
deleted from every read-model table, and an IdentifierErased event is recorded.
--env and --tag (each may be given several times) narrow the erasure to those envs or
session tags; the user's key is then kept (the receipt's "kept" says what stays).
Idempotent: asked again, the service answers the first receipt ("repeated": true). When the
read model did not catch up in time (503), the erasure is recorded: run the same command
again to finish it.

${TARGET}, an admin key (a key limited to some envs must name them with --env).
Prints the receipt (JSON) on stdout and a one-line summary on stderr.

${EXIT_CODES}`,
  options: {
    product: { type: 'string' },
    identifier: { type: 'string' },
    env: { type: 'string', multiple: true },
    tag: { type: 'string', multiple: true },
    url: { type: 'string' },
    key: { type: 'string' },
  },
  async run(values, _positionals, io) {
    const request = { product: required(values, 'product'), identifier: required(values, 'identifier'), envs: many(values, 'env'), tags: many(values, 'tag') };
    const client = new WaymarkClient({ ...serviceTarget(values, io, 'an admin key'), timeoutMs: ERASE_TIMEOUT_MS });
    let receipt: ErasureReceipt;
    try {
      receipt = await client.users.erase(request);
    } catch (error) {
      if (error instanceof WaymarkError)
        return refused('users erase', error, io, 'the erasure is not finished: run the same command again to finish it (an erasure is safe to repeat)');
      throw error;
    }
    io.out(JSON.stringify(receipt, null, 2));
    io.err(summarize(receipt));
    return EXIT.ok;
  },
};

/** One line for a person: who, in which scope, and what was done (or that it had been done before). */
export function summarize(receipt: ErasureReceipt): string {
  const scope = [
    receipt.scope.envs.length > 0 ? `envs ${receipt.scope.envs.join(',')}` : '',
    receipt.scope.tags.length > 0 ? `tags ${receipt.scope.tags.join(',')}` : '',
  ].filter(Boolean);
  const rows = Object.values(receipt.readModelRowsDeleted).reduce((sum, n) => sum + n, 0);
  const tables = Object.keys(receipt.readModelRowsDeleted).length;
  const done = [
    `${plural(receipt.sessionsRevoked, 'live session')} revoked`,
    `${plural(receipt.sessionsErased, 'session record')} emptied`,
    receipt.keyDestroyed ? 'key destroyed' : 'key kept',
    `${plural(rows, 'read-model row')} deleted${tables > 0 ? ` from ${plural(tables, 'table')}` : ''}`,
  ].join(', ');
  const who = `user ${JSON.stringify(receipt.identifier)} of ${receipt.product}${scope.length > 0 ? ` (${scope.join('; ')})` : ''}`;
  const when = receipt.repeated ? `already erased at ${receipt.erasedAt}, nothing done again` : `erased at ${receipt.erasedAt}`;
  const kept = receipt.kept.length > 0 ? `; kept: ${receipt.kept.join('; ')}` : '';
  return `${who}: ${when}: ${done}${kept}`;
}

export const usersExportCommand: CliCommand = {
  name: 'users export',
  summary: "Export one user's sessions and events (access request) as NDJSON, with progress.",
  usage: `waymark users export --product P --identifier ID [--out FILE] [--url URL --key KEY]

Streams the user's data from the running service (GET /v1/users/export, docs/privacy.md):
an "export" line, one "session" line per session (its data opened), one "event" line per
event in time order, and an "end" line with the counts. Written to --out (created with mode
0600: it holds personal data) or stdout; progress (lines and bytes written) on stderr.
An answer cut short (no "end" line) is reported as a failure: the output is incomplete.
Ctrl-C stops the download.

${TARGET}, a key with the read role allowed every env of the product.

${EXIT_CODES}`,
  options: {
    product: { type: 'string' },
    identifier: { type: 'string' },
    out: { type: 'string' },
    url: { type: 'string' },
    key: { type: 'string' },
  },
  async run(values, _positionals, io) {
    const product = required(values, 'product');
    const identifier = required(values, 'identifier');
    const target = serviceTarget(values, io, 'a key with the read role');
    const abort = new AbortController();
    io.onInterrupt?.(() => abort.abort(new Error('interrupted (Ctrl-C)')));
    let body: ReadableStream<Uint8Array>;
    try {
      body = await openUserExport(target, product, identifier, { signal: abort.signal, timeoutMs: EXPORT_TIMEOUT_MS });
    } catch (error) {
      if (error instanceof WaymarkError) return refused('users export', error, io);
      throw error;
    }
    // The file is made only once the service agreed: a refusal leaves no empty file behind.
    const out = values.out as string | undefined;
    const sink = out ? fileSink(out) : stdoutSink(io);
    const line = new ProgressLine(io.progress ?? io.err, io.isTty ?? false);
    const counts = { lines: 0, bytes: 0, sessions: 0, events: 0, ended: false };
    const show = () =>
      `exported ${plural(counts.lines, 'line')}, ${formatBytes(counts.bytes)} (${plural(counts.sessions, 'session')}, ${plural(counts.events, 'event')})`;
    try {
      await copyLines(body, sink, (text) => {
        counts.lines += 1;
        counts.bytes += Buffer.byteLength(text) + 1;
        const kind = kindOf(text);
        if (kind === 'session') counts.sessions += 1;
        if (kind === 'event') counts.events += 1;
        counts.ended = kind === 'end';
        line.update(show());
      });
    } catch (error) {
      await sink.close().catch(() => undefined);
      line.finish(show());
      io.err(`waymark users export: the download stopped: ${(error as Error).message}; ${out ?? 'the output'} is incomplete`);
      return EXIT.failed;
    }
    await sink.close();
    line.finish(`${show()}${out ? ` to ${out}` : ''}`);
    if (!counts.ended) {
      io.err(`waymark users export: the answer was cut short (no "end" line); ${out ?? 'the output'} is incomplete`);
      return EXIT.failed;
    }
    return EXIT.ok;
  },
};

function kindOf(text: string): string | undefined {
  try {
    const value = JSON.parse(text) as { kind?: unknown };
    return typeof value.kind === 'string' ? value.kind : undefined;
  } catch {
    return undefined;
  }
}

interface Sink {
  /** One NDJSON line, without its newline. */
  write(text: string): Promise<void>;
  close(): Promise<void>;
}

function fileSink(path: string): Sink {
  const file: WriteStream = createWriteStream(path, { mode: 0o600 });
  let failure: Error | undefined;
  // A write waiting for 'drain' is woken by a failure too (a full disk must not hang the command).
  let wake: (() => void) | undefined;
  file.on('error', (error) => {
    failure = error;
    wake?.();
  });
  return {
    write: (text) =>
      new Promise<void>((resolve, reject) => {
        if (failure) return reject(failure);
        if (file.write(text + '\n')) return resolve();
        wake = () => (failure ? reject(failure) : resolve());
        file.once('drain', wake);
      }),
    close: () =>
      new Promise<void>((resolve, reject) => {
        if (failure) return reject(failure);
        wake = () => reject(failure ?? new Error('the output file failed'));
        file.end(() => (failure ? reject(failure) : resolve()));
      }),
  };
}

function stdoutSink(io: CliIo): Sink {
  return { write: (text) => Promise.resolve(io.out(text)), close: () => Promise.resolve() };
}

/** Reads the NDJSON body, handing each complete line to the sink, then to `seen`. */
async function copyLines(body: ReadableStream<Uint8Array>, sink: Sink, seen: (text: string) => void): Promise<void> {
  const decoder = new TextDecoder();
  let pending = '';
  const reader = body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    pending += done ? decoder.decode() : decoder.decode(value, { stream: true });
    let newline: number;
    while ((newline = pending.indexOf('\n')) >= 0) {
      const text = pending.slice(0, newline);
      pending = pending.slice(newline + 1);
      if (text === '') continue;
      await sink.write(text);
      seen(text);
    }
    if (done) break;
  }
  // A last line without its newline is still a line of the answer.
  if (pending !== '') {
    await sink.write(pending);
    seen(pending);
  }
}

function plural(n: number, word: string): string {
  return `${n.toLocaleString('en-US')} ${word}${n === 1 ? '' : 's'}`;
}

function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

import { WaymarkClient } from '@waymark/sdk';
import { readFileSync, statSync } from 'node:fs';
import { Server, createServer } from 'node:http';
import { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { runCli } from '../../apps/cli/src/cli';
import { RunningApi, TEST_KEY, startApi } from '../support/api-app';
import { makeTempDir } from '../support/temp-dir';
import { waitFor } from '../support/wait-for';

const scope = { product: 'my-product-tag', env: 'snd', tag: 'session-tag' };
const run = Date.now().toString(36);
const ERASED = `ivy.cli-users.${run}@mail.test`;
const KEPT = `kai.cli-users.${run}@mail.test`;

async function cli(args: string[], env: NodeJS.ProcessEnv = { WAYMARK_API_KEY: TEST_KEY }) {
  const out: string[] = [];
  const err: string[] = [];
  const progress: string[] = [];
  const code = await runCli(args, { out: (t) => out.push(t), err: (t) => err.push(t), progress: (t) => progress.push(t), isTty: false, env });
  return { code, out, err: err.join('\n'), progress: progress.join('') };
}

/** A stand-in for the service, for answers a healthy API does not give (a cut stream, a proxy's error page). */
async function standIn(answer: (res: import('node:http').ServerResponse) => void): Promise<{ url: string; server: Server }> {
  const server = createServer((_req, res) => answer(res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

describe('waymark users erase / users export (CLI against a running service)', () => {
  jest.setTimeout(120_000);
  const files = makeTempDir('cli-users');
  let api: RunningApi;

  beforeAll(async () => {
    api = await startApi();
    const waymark = new WaymarkClient({ baseUrl: api.baseUrl, apiKey: TEST_KEY });
    for (const identifier of [ERASED, KEPT]) {
      const session = await waymark.sessions.start({ ...scope, data: { userId: identifier, street: `Juniper-Row-${run}` } });
      await waymark.sessions.track({ ...scope, token: session.token, records: [{ name: 'GET /home' }, { name: 'POST /cart' }] });
    }
    await waitFor(
      () => waymark.journeys.get({ ...scope, identifier: KEPT }),
      (journey) => journey.events.length === 3,
      30_000,
      100,
    );
  });

  afterAll(async () => {
    await api.close();
    files.remove();
  });

  it('exports a user to a file (mode 0600) with progress, and to stdout', async () => {
    const file = join(files.path, 'export.ndjson');
    const toFile = await cli(['users', 'export', '--product', scope.product, '--identifier', ERASED, '--out', file, '--url', api.baseUrl]);
    expect(toFile).toMatchObject({ code: 0, out: [] });
    const lines = readFileSync(file, 'utf8')
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines.map((line) => line.kind)).toEqual(['export', 'session', 'event', 'event', 'event', 'end']);
    expect(lines[0]).toMatchObject({ product: scope.product, identifier: ERASED });
    expect(lines[1]).toMatchObject({ data: { userId: ERASED, street: `Juniper-Row-${run}` } });
    expect(lines.at(-1)).toEqual({ kind: 'end', sessions: 1, events: 3 });
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const bytes = statSync(file).size;
    expect(toFile.progress).toContain(`exported 6 lines, ${bytes < 1024 ? `${bytes} B` : `${(bytes / 1024).toFixed(1)} KiB`} (1 session, 3 events) to ${file}`);

    const toStdout = await cli(['users', 'export', '--product', scope.product, '--identifier', KEPT], { WAYMARK_API_KEY: TEST_KEY, WAYMARK_URL: api.baseUrl });
    expect(toStdout.code).toBe(0);
    expect(toStdout.out.map((line) => (JSON.parse(line) as { kind: string }).kind)).toEqual(['export', 'session', 'event', 'event', 'event', 'end']);
  });

  it('erases a user: the receipt on stdout, a summary on stderr; asked again, the first receipt', async () => {
    const erased = await cli(['users', 'erase', '--product', scope.product, '--identifier', ERASED, '--url', api.baseUrl]);
    expect(erased.code).toBe(0);
    const receipt = JSON.parse(erased.out.join('\n')) as Record<string, unknown>;
    expect(receipt).toMatchObject({ product: scope.product, identifier: ERASED, keyDestroyed: true, sessionsRevoked: 1, repeated: false });
    expect(erased.err).toMatch(
      new RegExp(
        `^user "${ERASED.replace(/[.+]/g, '\\$&')}" of my-product-tag: erased at \\S+: 1 live session revoked, 1 session record emptied, key destroyed, \\d+ read-model rows deleted from \\d+ tables$`,
      ),
    );

    const again = await cli(['users', 'erase', '--product', scope.product, '--identifier', ERASED, '--url', api.baseUrl]);
    expect(again.code).toBe(0);
    expect(JSON.parse(again.out.join('\n'))).toMatchObject({ repeated: true, erasedAt: receipt.erasedAt });
    expect(again.err).toContain(`already erased at ${String(receipt.erasedAt)}, nothing done again`);

    const after = await cli(['users', 'export', '--product', scope.product, '--identifier', ERASED, '--url', api.baseUrl]);
    expect(after.code).toBe(0);
    expect(JSON.parse(after.out.at(-1) as string)).toEqual({ kind: 'end', sessions: 0, events: 0 });
    // Everyone else is untouched.
    const kept = await cli(['users', 'export', '--product', scope.product, '--identifier', KEPT, '--url', api.baseUrl]);
    expect(JSON.parse(kept.out.at(-1) as string)).toEqual({ kind: 'end', sessions: 1, events: 3 });
  });

  it("shows the service's problem: status, title, code, detail and the field at fault", async () => {
    const badTag = await cli(['users', 'erase', '--product', scope.product, '--identifier', KEPT, '--tag', 'Not A Slug!', '--url', api.baseUrl]);
    expect(badTag.code).toBe(1);
    expect(badTag.err).toMatch(/^waymark users erase: 400 [^\n]+ \([A-Z_]+\): .+\n {2}tags\.0: .+/);

    const unknownProduct = await cli(['users', 'export', '--product', 'no-such-product', '--identifier', KEPT, '--url', api.baseUrl]);
    expect(unknownProduct.code).toBe(1);
    expect(unknownProduct.err).toBe(
      "waymark users export: 422 Unprocessable Content (PRODUCT_NOT_FOUND): product 'no-such-product' is not defined\n  product: product 'no-such-product' is not defined",
    );

    const badKey = await cli(['users', 'erase', '--product', scope.product, '--identifier', KEPT, '--url', api.baseUrl, '--key', 'wmk_not-a-key']);
    expect(badKey.code).toBe(1);
    expect(badKey.err).toMatch(/^waymark users erase: 401 /);
  });

  it('refuses bad usage with exit 2, and reports an unreachable service', async () => {
    expect((await cli(['users', 'erase', '--identifier', KEPT])).code).toBe(2);
    const noKey = await cli(['users', 'export', '--product', scope.product, '--identifier', KEPT], {});
    expect(noKey.code).toBe(2);
    expect(noKey.err).toContain('--key or WAYMARK_API_KEY is required');
    const help = await cli(['users', 'erase', '--help']);
    expect(help.out[0]).toContain('Exit status: 0 done');

    const closed = await standIn(() => undefined);
    await new Promise((resolve) => closed.server.close(resolve));
    const unreachable = await cli(['users', 'export', '--product', scope.product, '--identifier', KEPT, '--url', closed.url]);
    expect(unreachable.code).toBe(1);
    expect(unreachable.err).toContain(`Network Error: could not reach Waymark at ${closed.url}: `);
    expect(unreachable.err).toContain('ECONNREFUSED');
  });

  it('says to run an erasure again when the service answers 503 with Retry-After (stand-in server)', async () => {
    const busy = await standIn((res) => {
      res.writeHead(503, { 'content-type': 'application/problem+json', 'retry-after': '5' });
      res.end(
        JSON.stringify({
          type: 'urn:waymark:problem:store-unavailable',
          title: 'Service Unavailable',
          status: 503,
          detail: 'the read model did not catch up in time; the same request again finishes the erasure',
          code: 'STORE_UNAVAILABLE',
        }),
      );
    });
    try {
      const erase = await cli(['users', 'erase', '--product', 'p', '--identifier', 'i', '--url', busy.url]);
      expect(erase.code).toBe(1);
      expect(erase.err).toBe(
        'waymark users erase: 503 Service Unavailable (STORE_UNAVAILABLE): the read model did not catch up in time; the same request again finishes the erasure\n' +
          'the erasure is not finished: run the same command again to finish it (an erasure is safe to repeat) (the service asks to wait 5 s)',
      );
    } finally {
      await new Promise((resolve) => busy.server.close(resolve));
    }
  });

  it('reports an export cut short, and an error page that is not problem+json (stand-in server)', async () => {
    const cut = await standIn((res) => {
      res.writeHead(200, { 'content-type': 'application/x-ndjson' });
      res.end(`${JSON.stringify({ kind: 'export', product: 'p', identifier: 'i', exportedAt: new Date().toISOString() })}\n`);
    });
    const proxy = await standIn((res) => {
      res.writeHead(502, { 'content-type': 'text/html' });
      res.end('<html>bad gateway</html>');
    });
    try {
      const file = join(files.path, 'cut.ndjson');
      const cutShort = await cli(['users', 'export', '--product', 'p', '--identifier', 'i', '--out', file, '--url', cut.url]);
      expect(cutShort.code).toBe(1);
      expect(cutShort.err).toContain(`the answer was cut short (no "end" line); ${file} is incomplete`);
      expect(readFileSync(file, 'utf8').split('\n')).toHaveLength(2);

      const page = await cli(['users', 'export', '--product', 'p', '--identifier', 'i', '--url', proxy.url]);
      expect(page.code).toBe(1);
      expect(page.err).toBe('waymark users export: 502 Bad Gateway (HTTP_502): <html>bad gateway</html>');
    } finally {
      await new Promise((resolve) => cut.server.close(resolve));
      await new Promise((resolve) => proxy.server.close(resolve));
    }
  });
});

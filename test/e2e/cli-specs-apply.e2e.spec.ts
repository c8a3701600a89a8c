import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from '../../apps/cli/src/cli';
import { RunningApi, TEST_KEY, getJson, readJson, startApi } from '../support/api-app';
import { makeTempDir } from '../support/temp-dir';

describe('waymark specs apply against the running app', () => {
  const dir = makeTempDir('apply');
  let api: RunningApi;

  beforeAll(async () => {
    api = await startApi();
  });

  afterAll(async () => {
    await api.close();
    dir.remove();
  });

  async function apply(spec: unknown, ...flags: string[]) {
    const file = join(dir.path, `specs-${Math.random()}.json`);
    writeFileSync(file, JSON.stringify(spec));
    const out: string[] = [];
    const err: string[] = [];
    const code = await runCli(['specs', 'apply', file, '--url', api.baseUrl, ...flags], {
      out: (t) => out.push(t),
      err: (t) => err.push(t),
      env: { WAYMARK_API_KEY: TEST_KEY },
    });
    return { code, out, err };
  }

  const base = {
    tag: 'session-tag',
    name: 'Default session',
    description: "The seed's example: the user is identified by data.userId",
    selector: 'userId',
    expiry: { value: 1, unit: 'hours' },
    refreshExpiry: { value: 30, unit: 'days' },
  };
  const chat = { tag: 'support-chat', name: 'Support chat', selector: 'agentId' };

  it('creates, updates, leaves unchanged, and prunes only when asked', async () => {
    const dry = await apply({ product: 'my-product-tag', sessions: [base, chat] }, '--dry-run');
    expect(dry).toMatchObject({ code: 0, out: ['would unchanged my-product-tag/session-tag', 'would create my-product-tag/support-chat'] });
    expect((await readJson(await getJson(`${api.baseUrl}/v1/products/my-product-tag/session-specs`))).specs).toHaveLength(1);

    expect((await apply({ product: 'my-product-tag', sessions: [base, chat] })).out).toEqual([
      'unchanged my-product-tag/session-tag',
      'create my-product-tag/support-chat',
    ]);
    expect((await apply({ product: 'my-product-tag', sessions: [{ ...chat, name: 'Chat' }] })).out).toEqual(['update my-product-tag/support-chat']);
    expect((await apply({ product: 'my-product-tag', sessions: [{ ...chat, name: 'Chat' }] }, '--prune')).out).toEqual([
      'unchanged my-product-tag/support-chat',
      'delete my-product-tag/session-tag',
    ]);
    const specs = (await readJson(await getJson(`${api.baseUrl}/v1/products/my-product-tag/session-specs`))).specs;
    expect(specs.map((entry: { spec: { tag: string; name: string } }) => [entry.spec.tag, entry.spec.name])).toEqual([['support-chat', 'Chat']]);
  });

  it('exits 2 on a bad file and 1 with the problem when the server refuses', async () => {
    const bad = await apply({ product: 'my-product-tag', sessions: [{ tag: 'x' }] });
    expect(bad.code).toBe(2);
    expect(bad.err[0]).toContain('sessions.0.name');
    const refused = await apply({ product: 'no-such-product', sessions: [] });
    expect(refused.code).toBe(1);
    expect(refused.err[0]).toContain('PRODUCT_NOT_FOUND (422)');
  });
});

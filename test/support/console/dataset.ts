import { mintApiKey } from '@waymark/tokens';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { postJson, readJson } from '../api-app';
import { makeTempDir } from '../temp-dir';

/**
 * The console's browser tests run against a config with real keys (so sign-in is
 * needed: no open development mode): a secret key that writes the dataset, and the read
 * key an analyst signs in with.
 */
export function consoleConfig() {
  const secret = mintApiKey();
  const read = mintApiKey();
  const dir = makeTempDir('console-config');
  const file = join(dir.path, 'waymark.config.json');
  writeFileSync(
    file,
    JSON.stringify({
      products: [
        {
          tag: 'my-product-tag',
          name: 'My product',
          envs: ['snd', 'prd'],
          sessions: [
            { tag: 'session-tag', name: 'Default session', selector: 'userId' },
            { tag: 'long-journey', name: 'Long journey', selector: 'userId' },
          ],
        },
      ],
      apiKeys: [
        { id: secret.id, name: 'backend', product: 'my-product-tag', envs: ['*'], roles: ['secret'], secretHash: secret.secretHash },
        { id: read.id, name: 'analyst', product: 'my-product-tag', envs: ['*'], roles: ['read'], secretHash: read.secretHash },
      ],
    }),
  );
  return { file, secretKey: secret.key, readKey: read.key, remove: () => dir.remove() };
}

export const SCOPE = { product: 'my-product-tag', tag: 'session-tag' };

/**
 * Known answers, worked out by hand (every activity is a second apart, in order, today):
 *
 * | user | env | sessions | activity |
 * |---|---|---|---|
 * | alice | snd | 2 | home, search, product (error) · then a second session: cart, pay |
 * | bob | snd | 1 | home, search, home |
 * | carol | snd | 1, revoked | home, product, cart (error) |
 * | dave | prd | 1 | home, pay |
 *
 * 4 users (carol inactive, the others active), 5 sessions, 13 activity records (2
 * errors); funnel home → cart → pay: 4, 2, 1 users.
 */
export const EXPECTED = { users: 4, sessions: 5, activities: 13, funnel: { steps: ['home', 'cart', 'pay'], users: [4, 2, 1] } };

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function seedConsoleDataset(baseUrl: string, secretKey: string): Promise<void> {
  const auth = { authorization: `Bearer ${secretKey}` };
  // Activity times are given, a second apart and a little ahead of the clock (allowed up
  // to ACTIVITY_MAX_FUTURE_MS), so funnels and paths see one order whatever the timing.
  let clock = Date.now();
  const session = async (env: string, user: string, steps: Array<[string, string]>) => {
    clock = Math.max(clock, Date.now());
    const started = await postJson(`${baseUrl}/v1/sessions`, { ...SCOPE, env, data: { userId: user } }, auth);
    if (started.status !== 201) throw new Error(`start ${user}: ${started.status} ${await started.text()}`);
    const { token, sessionId } = await readJson(started);
    const records = steps.map(([name, status], index) => ({
      name,
      status,
      latencyMs: 20 + 10 * index,
      processId: 'web-1',
      occurredAt: new Date(clock + 1000 * (index + 1)).toISOString(),
    }));
    clock += 1000 * (steps.length + 1);
    const recorded = await postJson(`${baseUrl}/v1/sessions/activity`, { ...SCOPE, env, token, records }, auth);
    if (recorded.status !== 201) throw new Error(`activity ${user}: ${recorded.status} ${await recorded.text()}`);
    return sessionId as string;
  };
  await session('snd', 'alice', [
    ['home', 'success'],
    ['search', 'success'],
    ['product', 'error'],
  ]);
  // Alice's second session starts after her first one's activity, as it would.
  await sleep(Math.max(0, clock - Date.now()) + 50);
  await session('snd', 'alice', [
    ['cart', 'success'],
    ['pay', 'success'],
  ]);
  await session('snd', 'bob', [
    ['home', 'success'],
    ['search', 'success'],
    ['home', 'success'],
  ]);
  const carol = await session('snd', 'carol', [
    ['home', 'success'],
    ['product', 'success'],
    ['cart', 'error'],
  ]);
  await session('prd', 'dave', [
    ['home', 'success'],
    ['pay', 'success'],
  ]);
  await sleep(Math.max(0, clock - Date.now()) + 50);
  const revoked = await postJson(`${baseUrl}/v1/sessions/revoke`, { ...SCOPE, env: 'snd', sessionId: carol }, auth);
  if (revoked.status !== 200) throw new Error(`revoke carol: ${revoked.status} ${await revoked.text()}`);
}

/** One user with a long journey (in its own tag, so the answers above stay as they are). */
export const LONG_JOURNEY = { tag: 'long-journey', env: 'snd', identifier: 'scroller', records: 5000 };

/** The long journey: one session and LONG_JOURNEY.records activity records, 20 ms apart, sent 500 a call. */
export async function seedLongJourney(baseUrl: string, secretKey: string): Promise<void> {
  const auth = { authorization: `Bearer ${secretKey}` };
  const scope = { product: SCOPE.product, tag: LONG_JOURNEY.tag, env: LONG_JOURNEY.env };
  const started = await postJson(`${baseUrl}/v1/sessions`, { ...scope, data: { userId: LONG_JOURNEY.identifier } }, auth);
  if (started.status !== 201) throw new Error(`start scroller: ${started.status} ${await started.text()}`);
  const { token } = await readJson(started);
  const base = Date.now() + 1000;
  const steps = ['home', 'search', 'product', 'cart', 'checkout', 'pay'];
  for (let offset = 0; offset < LONG_JOURNEY.records; offset += 500) {
    const records = Array.from({ length: Math.min(500, LONG_JOURNEY.records - offset) }, (_, index) => {
      const n = offset + index;
      return {
        name: steps[n % steps.length],
        status: n % 17 === 0 ? 'error' : 'success',
        latencyMs: n % 300,
        processId: `web-${n % 3}`,
        occurredAt: new Date(base + 20 * n).toISOString(),
      };
    });
    const recorded = await postJson(`${baseUrl}/v1/sessions/activity`, { ...scope, token, records }, auth);
    if (recorded.status !== 201) throw new Error(`activity scroller: ${recorded.status} ${await recorded.text()}`);
  }
}

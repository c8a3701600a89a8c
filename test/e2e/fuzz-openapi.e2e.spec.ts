import { buildApiDocument } from '../../apps/api/src/openapi/api-document';
import { RunningApi, SEED_BODY, TEST_KEY, TEST_MODE, getJson, postJson, readJson, startApi } from '../support/api-app';
import { canaryVisibleAfter, createCanarySpec, freshnessBoundMs, percentile } from '../support/fuzz/canary';
import { fuzzOperation, FuzzTarget } from '../support/fuzz/fuzz-operation';
import { fuzzSettings } from '../support/fuzz/fuzz-settings';
import { LiveValues } from '../support/fuzz/live-values';
import { LogObserver, observeLog } from '../support/log-observer';
import { Operation, operationsOf } from '../support/fuzz/openapi-operations';

/**
 * Issue 14 point 9: nothing a caller sends can stop Waymark. Every operation of the
 * OpenAPI document gets valid, boundary and mutated requests with a valid key; none may
 * answer 5xx or append when refused; afterwards the read model must still be moving.
 * Runs in both Jest projects (BOTH_MODES in jest.config.js): embedded and distributed.
 */
const settings = fuzzSettings();
const operations = operationsOf(buildApiDocument());
/** Enough that the p95 is not simply the slowest one (nearest rank: the 19th of 20). */
const CANARIES = 20;

describe(`OpenAPI fuzz, ${TEST_MODE} mode (seed ${settings.seed})`, () => {
  let api: RunningApi;
  let log: LogObserver;
  let target: FuzzTarget;
  let deadLettersBefore: number;

  beforeAll(async () => {
    api = await startApi();
    log = await observeLog(api);
    await createCanarySpec(api);
    const live = new LiveValues();
    // The live sessions' scope: what queries and bodies of every operation may name.
    for (const [field, value] of Object.entries({ ...SEED_BODY, identifier: SEED_BODY.data.userId })) live.add(field, value);
    target = {
      baseUrl: api.baseUrl,
      authorization: `Bearer ${TEST_KEY}`,
      log,
      live,
      acknowledged: [],
      rerun: (operation: Operation) => `npx jest --selectProjects ${TEST_MODE} --testPathPatterns fuzz-openapi -t '${operation.name}: never'`,
    };
    deadLettersBefore = await log.deadLetters();
  }, 120_000);

  afterAll(async () => {
    await log?.close();
    await api?.close();
  });

  it('fuzzes the document the app serves', async () => {
    expect(await readJson(await getJson(`${api.baseUrl}/docs/openapi.json`))).toEqual(JSON.parse(JSON.stringify(buildApiDocument())));
  });

  it.each(operations.map((operation) => [operation.name, operation] as const))(
    '%s: never 5xx, and a refusal appends nothing',
    async (_name, operation) => {
      // Fresh sessions each time: earlier operations may have revoked or refreshed the last ones.
      for (let i = 0; i < 2; i += 1) {
        const session = await postJson(`${api.baseUrl}/v1/sessions`, SEED_BODY);
        expect(session.status).toBe(201);
        target.live.learn(await readJson(session));
      }
      target.live.useExample(operation.body?.example);
      await fuzzOperation(operation, target, settings);
    },
    120_000,
  );

  it('the read model still moves: canaries are listed within the freshness target (p95), and nothing acknowledged was dead-lettered', async () => {
    const visibleAfter: Array<number | undefined> = [];
    for (let i = 0; i < CANARIES; i += 1) visibleAfter.push(await canaryVisibleAfter(api, `canary-${i}-${Date.now()}`));
    const suspects = `seed ${settings.seed}; the last of ${target.acknowledged.length} acknowledged writes:\n${target.acknowledged.slice(-10).join('\n')}`;
    const missing = visibleAfter.filter((ms) => ms === undefined).length;
    if (missing > 0) throw new Error(`${missing} of ${CANARIES} canary sessions never reached the journey: the read model stopped. ${suspects}`);
    const p95 = percentile(visibleAfter as number[], 95);
    const bound = freshnessBoundMs(api);
    const seen = `canary p95 ${Math.round(p95)} ms, bound ${bound} ms (each: ${(visibleAfter as number[]).map(Math.round).join(', ')} ms)`;
    expect([seen, p95 <= bound]).toEqual([seen, true]);
    const deadLettered = (await log.deadLetters()) - deadLettersBefore;
    if (deadLettered > 0) {
      const letters = await log.deadLetterSamples(Math.min(deadLettered, 5));
      throw new Error(
        `${deadLettered} acknowledged event(s) went to the dead letters: the API accepted what the read model cannot hold (seed ${settings.seed}). The newest:\n  ${letters.join('\n  ')}`,
      );
    }
  }, 300_000);
});

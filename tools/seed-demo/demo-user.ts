import {
  ActivityInput,
  EventEnvelope,
  EventMeta,
  SessionRecord,
  SessionSpec,
  decideExtend,
  decideRecordActivity,
  decideRefresh,
  decideRevoke,
  decideStartSession,
} from '@waymark/domain';
import { SeededRandom } from './seeded-random';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** The steps a shopper goes through, and where each tends to lead (null: leaves). */
type Step = 'home' | 'search' | 'product' | 'cart' | 'checkout' | 'pay';
const NEXT: Record<Step, ReadonlyArray<readonly [Step | null, number]>> = {
  home: [
    ['search', 0.4],
    ['product', 0.3],
    ['home', 0.1],
    [null, 0.2],
  ],
  search: [
    ['product', 0.6],
    ['search', 0.2],
    [null, 0.2],
  ],
  product: [
    ['cart', 0.35],
    ['product', 0.2],
    ['search', 0.25],
    [null, 0.2],
  ],
  cart: [
    ['checkout', 0.6],
    ['product', 0.2],
    [null, 0.2],
  ],
  checkout: [
    ['pay', 0.7],
    ['cart', 0.1],
    [null, 0.2],
  ],
  pay: [
    ['home', 0.3],
    [null, 0.7],
  ],
};
const FIRST: ReadonlyArray<readonly [Step, number]> = [
  ['home', 0.7],
  ['search', 0.2],
  ['product', 0.1],
];
const MEDIAN_LATENCY_MS: Record<Step, number> = { home: 40, search: 120, product: 60, cart: 50, checkout: 180, pay: 450 };
const ERROR_RATE: Record<Step, number> = { home: 0.01, search: 0.03, product: 0.02, cart: 0.02, checkout: 0.04, pay: 0.06 };
/** Share of sessions starting in each UTC hour: quiet nights, busy late mornings and evenings. */
const HOURLY: ReadonlyArray<readonly [number, number]> = [
  1, 0.6, 0.4, 0.3, 0.3, 0.5, 1, 2, 3.5, 4.5, 5, 5.5, 5.5, 5, 4.5, 4.5, 5, 5.5, 6, 6.5, 6, 4.5, 3, 1.8,
].map((weight, hour) => [hour, weight] as const);
const ENVS: ReadonlyArray<readonly [string, number]> = [
  ['prd', 0.8],
  ['snd', 0.15],
  ['dev', 0.05],
];

export interface DemoShape {
  product: string;
  tag: string;
  spec: SessionSpec;
  /** The dataset covers [end - days, end). */
  end: number;
  days: number;
  sessionsPerUser: number;
  activitiesPerSession: number;
}

export interface DemoUser {
  identifier: string;
  env: string;
  data: Record<string, unknown>;
}

export function demoUser(index: number, random: SeededRandom): DemoUser {
  const identifier = `user-${String(index + 1).padStart(6, '0')}`;
  const name = `${random.pick(['ada', 'bola', 'chen', 'dara', 'emeka', 'femi', 'grace', 'hana', 'ines', 'joao'])}${index + 1}`;
  return { identifier, env: random.weighted(ENVS), data: { userId: identifier, details: { username: name, email: `${name}@example.com` } } };
}

/**
 * When one user's sessions start over the period: new users keep arriving (a third
 * were already there on the first day), heavy users come back often, and returns thin
 * out with time since the first visit (so retention decays).
 */
export function demoSessionStarts(shape: DemoShape, random: SeededRandom): number[] {
  const start = shape.end - shape.days * DAY;
  const firstDay = random.chance(0.3) ? 0 : random.int(0, shape.days - 1);
  const sessions = Math.max(1, Math.round(random.logNormal(shape.sessionsPerUser / Math.exp(0.405), 0.9)));
  const starts: number[] = [];
  for (let i = 0; i < sessions; i += 1) {
    const day = i === 0 ? firstDay : firstDay + Math.floor((shape.days - firstDay) * random.next() ** 2);
    const at = start + day * DAY + random.weighted(HOURLY) * HOUR + random.int(0, HOUR - 1);
    if (at < shape.end) starts.push(at);
  }
  return starts.sort((a, b) => a - b);
}

/**
 * One session's events, built with the domain's own decide functions so that they are
 * exactly what the API would have written: a start, activity records walking the step
 * catalogue (a few percent errors, skewed latencies, sometimes a long pause that
 * starts a new visit), a refresh when the session outlives its token, and some
 * revokes and extends.
 */
export function demoSessionEvents(user: DemoUser, sealedData: string, shape: DemoShape, startAt: number, random: SeededRandom): EventEnvelope[] {
  const meta: EventMeta = { source: 'seed-demo' };
  const sessionId = random.uuidV7(startAt);
  const started = decideStartSession({
    product: shape.product,
    env: user.env,
    tag: shape.tag,
    identifier: user.identifier,
    spec: shape.spec,
    sessionId,
    eventId: random.uuidV7(startAt),
    now: startAt,
    sealedData,
    refreshTokenHash: hashOf(random),
    meta,
  });
  let record: SessionRecord = started.record;
  const events: EventEnvelope[] = [started.event];
  const session = { sessionId, product: shape.product, env: user.env, tag: shape.tag, identifier: user.identifier };
  const activities = random.count(shape.activitiesPerSession, 1);
  let now = startAt + random.int(200, 5_000);
  let step: Step | null = random.weighted(FIRST);
  let previous: Step | undefined;
  for (let i = 0; i < activities && now < shape.end; i += 1) {
    if (step === null) step = random.weighted(FIRST);
    // A token lives an hour: the backend refreshes it before acting on an old session.
    if (now >= record.expiresAt) {
      const decision = decideRefresh(record, {
        now,
        eventId: random.uuidV7(now),
        // Never used: the demo's refreshes present the current token, which is no reuse.
        revocationEventId: random.uuidV7(now),
        meta,
        presentedHash: record.refreshTokenHash,
        graceMs: 10_000,
        nextRefreshHash: hashOf(random),
      });
      if (decision.kind !== 'rotate') break;
      record = decision.record;
      events.push(decision.event);
      now += random.int(50, 500);
    }
    const roll = random.next();
    const status = roll < ERROR_RATE[step] ? 'error' : roll < ERROR_RATE[step] + 0.005 ? 'timeout' : 'success';
    const latencyMs = Math.round(random.logNormal(MEDIAN_LATENCY_MS[step], 0.6) * (status === 'success' ? 1 : 2.5));
    const input: ActivityInput = {
      name: step,
      ...(previous ? { parent: previous } : {}),
      status,
      latencyMs,
      processId: `worker-${random.int(1, 6)}`,
      ...(step === 'pay' ? { properties: { amount: Math.round(random.logNormal(40, 0.8) * 100) / 100 } } : {}),
      occurredAt: now,
    };
    events.push(...decideRecordActivity(session, [input], now, () => random.uuidV7(now), meta));
    if (random.chance(0.02)) {
      const extended = decideExtend(record, 7 * DAY, { now: now + 10, eventId: random.uuidV7(now + 10), meta });
      if (extended.kind === 'extended') {
        record = extended.record;
        events.push(extended.event);
      }
    }
    previous = step;
    step = random.weighted(NEXT[step]);
    // Mostly seconds between calls; sometimes a long pause, which starts a new visit.
    now += random.chance(0.04) ? random.int(35, 90) * 60_000 : Math.round(random.logNormal(20_000, 1));
  }
  if (random.chance(0.25) && now < shape.end) {
    const revoked = decideRevoke(record, 'requested', { now, eventId: random.uuidV7(now), meta });
    if (revoked) events.push(revoked.event);
  }
  return events;
}

function hashOf(random: SeededRandom): string {
  return random.uint32().toString(16).padStart(8, '0') + random.uint32().toString(16).padStart(8, '0');
}

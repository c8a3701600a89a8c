import { SessionSpec, decideStartSession } from '@waymark/domain';
import { SqliteEventLog } from '@waymark/event-log';
import { SqliteSessionStore } from '@waymark/session-store';
import { GroupCommitWriter, openEmbeddedDatabase } from '@waymark/sqlite';
import { DpopProofVerifier, SessionTokenService, TokenKeyRing, generateStoredKey } from '@waymark/tokens';
import { RevocationList } from '../../apps/api/src/sessions/revocation-list';
import { SessionTokenVerifier } from '../../apps/api/src/sessions/session-token-verifier';
import { SessionUseTracker } from '../../apps/api/src/sessions/session-use-tracker';

/**
 * What the idle-timeout bookkeeping adds to a verify, in process, without HTTP: 1,000
 * sessions with an idle timeout, their tokens verified round-robin (the opened-token
 * cache warm, as in steady traffic) by the token check, tag and revocation list alone
 * ("before": the verifier as it was) and by SessionTokenVerifier (local idle view, use
 * recorded in memory; no store read or write). Prints ns per verify for each of 8
 * alternating rounds; compare minima, the machine's noise is larger than the gap.
 *
 *   node -r ./bench/support/ts-register.js bench/micro/verify-timeouts.micro.ts
 */

async function main() {
  const db = openEmbeddedDatabase(':memory:');
  const writer = new GroupCommitWriter(db);
  const store = new SqliteSessionStore(db, writer, new SqliteEventLog(db, writer));
  const tokens = new SessionTokenService(TokenKeyRing.fromKeyFile({ keys: [generateStoredKey()] }));
  const clock = Date.now;
  const spec: SessionSpec = {
    tag: 't',
    name: 'T',
    selector: 'u',
    expiry: { value: 1, unit: 'hours' },
    refreshExpiry: { value: 7, unit: 'days' },
    idleTimeout: { value: 30, unit: 'minutes' },
  };
  const revocations = new RevocationList(store, clock);
  const uses = new SessionUseTracker(store, clock);
  const verifier = new SessionTokenVerifier(tokens, revocations, uses, store, clock, {} as DpopProofVerifier);
  const list: string[] = [];
  for (let i = 0; i < 1000; i += 1) {
    const sessionId = `01900000-0000-7000-8000-${String(i).padStart(12, '0')}`;
    const d = decideStartSession({
      product: 'p',
      env: 'e',
      tag: 't',
      identifier: `u${i}`,
      spec,
      sessionId,
      eventId: sessionId,
      now: clock(),
      sealedData: 's',
      refreshTokenHash: 'h',
      meta: { source: 'b' },
    });
    await store.create(d.record, d.events);
    list.push(
      await tokens.issue({
        sessionId,
        product: 'p',
        env: 'e',
        tag: 't',
        identifier: `u${i}`,
        data: { u: i },
        issuedAt: clock(),
        expiresAt: d.record.expiresAt,
        authTime: clock(),
        absoluteExpiresAt: d.record.absoluteExpiresAt,
        idleTimeoutMs: d.record.idleTimeoutMs,
      }),
    );
  }
  const N = 300_000;
  const bare = async (token: string) => {
    const check = await tokens.check(token, 'p', 'e', clock());
    if (!check.valid) return check;
    if (check.claims.tag !== 't') return { valid: false };
    if (revocations.isRevoked(check.claims.sessionId)) return { valid: false };
    return check;
  };
  for (let round = 0; round < 8; round += 1) {
    for (const [name, fn] of [
      ['before (check + tag + revoked)', bare],
      ['after (SessionTokenVerifier)', (t: string) => verifier.verify(t, 'p', 'e', 't')],
    ] as const) {
      const started = process.hrtime.bigint();
      for (let i = 0; i < N; i += 1) await fn(list[i % list.length]);
      const ns = Number(process.hrtime.bigint() - started) / N;
      console.log(`${name}: ${ns.toFixed(0)} ns/verify`);
    }
  }
  db.close();
}
void main();

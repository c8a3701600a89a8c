import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventEnvelope } from '@waymark/domain';
import { PersonalDataCodec, PrivacyKeyRing, SqliteUserKeyStore, UserKeyCipher, UserKeys, generatePrivacyKeyFile } from '@waymark/privacy';
import { TokenKeyRing, generateStoredKey } from '@waymark/tokens';
import { syntheticSessionStarts } from '../support/synthetic-events';

/**
 * What per-user keys cost per event, by the process's CPU time (steadier than wall time
 * on a shared machine): the codec's encode (append side) and decode (consumer side) of
 * SessionStarted events, for users whose key this process already holds and for users
 * seen for the first time (a new key record, durable in keys.db, one group commit per
 * call as the embedded store does it). Compare with the CPU per start-session and per
 * projected event in docs/benchmarks.md.
 *
 *   node -r ./bench/support/ts-register.js bench/micro/privacy-codec.micro.ts [events]
 */
async function main(): Promise<void> {
  const total = Number(process.argv[2] ?? 50_000);
  const dir = mkdtempSync(join(tmpdir(), 'wm-codec-micro-'));
  const tokenKeys = TokenKeyRing.fromKeyFile({ keys: [generateStoredKey()] });
  const store = SqliteUserKeyStore.open(join(dir, 'keys.db'));
  const newCodec = () => new PersonalDataCodec(new UserKeys(store, new UserKeyCipher(PrivacyKeyRing.fromFile(privacy))), tokenKeys);
  const privacy = generatePrivacyKeyFile();
  const codec = newCodec();
  try {
    const users = 1_000;
    const events = (await syntheticSessionStarts(total, users, 5_000, tokenKeys)).next(total);
    const cpuUs = (from: NodeJS.CpuUsage) => {
      const used = process.cpuUsage(from);
      return used.user + used.system;
    };
    const perEvent = (label: string, count: number, work: () => Promise<void> | void) => async () => {
      const from = process.cpuUsage();
      const wallFrom = performance.now();
      await work();
      console.log(
        `${label.padEnd(64)} ${(cpuUs(from) / count).toFixed(2).padStart(7)} µs CPU / event   ${(((performance.now() - wallFrom) * 1000) / count).toFixed(2).padStart(7)} µs wall`,
      );
    };

    // First sight of 1,000 users, one call each (as 1,000 start-sessions of new users would).
    const firstOfEach = events.slice(0, users);
    await perEvent('encode, user seen for the first time (key created, keys.db commit)', users, async () => {
      await Promise.all(firstOfEach.map((event) => codec.encodeAll([event])));
    })();
    let stored: EventEnvelope[] = [];
    await perEvent('encode, key already held (prepareEncode + encode)', total, async () => {
      stored = await codec.encodeAll(events);
    })();
    const raw = stored.map((event) => JSON.stringify(event));
    const parsed = raw.map((text) => JSON.parse(text) as EventEnvelope);
    const reader = newCodec();
    await perEvent('decode, fresh process (keys loaded from keys.db once per user)', total, async () => {
      await reader.prepareDecode(parsed);
      for (const event of parsed) reader.decode(event);
    })();
    const again = raw.map((text) => JSON.parse(text) as EventEnvelope);
    await perEvent('decode, keys held (prepareDecode + decode)', total, async () => {
      await reader.prepareDecode(again);
      for (const event of again) reader.decode(event);
    })();
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

void main();

import 'reflect-metadata';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventEnvelope, SESSION_ACTIVITY_RECORDED } from '@waymark/domain';
import { LoggedRecord } from '@waymark/event-log';
import { PersonalDataCodec, PrivacyKeyRing, SqliteUserKeyStore, UserKeyCipher, UserKeys, generatePrivacyKeyFile } from '@waymark/privacy';
import { EventsProjection } from '@waymark/projection';
import { createReadModelClient, migrateReadModel } from '@waymark/read-model';
import { CompactJwe, SEALED_DATA_TYPE, TokenKeyRing, generateStoredKey } from '@waymark/tokens';
import { syntheticSessionStarts } from '../support/synthetic-events';

/**
 * The projector's cost of crypto-shredding's read side (issue 17), A/B in one process on
 * one chDB, alternating batch by batch:
 * - `as made, no codec`: records as the log held them before (identifier in the clear,
 *   data sealed with the token keys), projected without a codec: today's projector;
 * - `stored, decoded`: the same events in their stored form (subject, data sealed with
 *   the user's key), projected through the PersonalDataCodec over a SQLite key store
 *   (keys loaded from it the first time a process meets a user, then cached);
 * - `legacy, decoded`: records as made (written before crypto-shredding) projected
 *   through the codec, which checks each clear identifier against the erasures.
 * `mix`: `started` (every event a SessionStarted: each decode opens the user's seal and
 * seals again with the token keys, the worst case) or `activity` (SessionActivityRecorded:
 * the identifier only). Prints per variant the JavaScript half alone (loadKeys + prepare,
 * no INSERT) and the whole projection (CPU per event, all threads).
 *
 *   node -r ./bench/support/ts-register.js bench/micro/projection-decode.micro.ts [rounds] [started|activity] [users]
 */
const BATCH = 10_000;

async function main(): Promise<void> {
  const rounds = Number(process.argv[2] ?? 8);
  const mix = process.argv[3] === 'activity' ? 'activity' : 'started';
  const users = Number(process.argv[4] ?? 20_000);
  const dir = mkdtempSync(join(tmpdir(), 'waymark-projection-decode-'));
  const client = createReadModelClient({ kind: 'chdb', path: join(dir, 'clickhouse') });
  const store = SqliteUserKeyStore.open(join(dir, 'keys.db'));
  try {
    await migrateReadModel(client);
    const tokenKeys = TokenKeyRing.fromKeyFile({ keys: [generateStoredKey()] });
    const service = new CompactJwe(tokenKeys, SEALED_DATA_TYPE);
    const privacy = PrivacyKeyRing.fromFile(generatePrivacyKeyFile());
    const writer = new PersonalDataCodec(new UserKeys(store, new UserKeyCipher(privacy)), tokenKeys);
    const reader = new PersonalDataCodec(new UserKeys(store, new UserKeyCipher(privacy)), tokenKeys);
    const sealed = service.encrypt(JSON.stringify({ userId: '1919102009383', details: { username: 'feekayo', email: 'fikayo@ductape.app' } }));
    const variants = {
      'as made, no codec': { projection: new EventsProjection(client, 'events'), stored: false },
      'stored, decoded': { projection: new EventsProjection(client, 'events', reader), stored: true },
      // A log written before crypto-shredding, read by the new projector: each clear identifier is checked against the erasures.
      'legacy, decoded': { projection: new EventsProjection(client, 'events', reader), stored: false },
    };
    const names = Object.keys(variants) as Array<keyof typeof variants>;
    const totals = Object.fromEntries(names.map((name) => [name, { jsUs: 0, cpuUs: 0, events: 0 }]));
    const stream = await syntheticSessionStarts(rounds * names.length * BATCH * 2, users, 5_000);
    let position = 0;
    const next = async (stored: boolean): Promise<LoggedRecord[]> => {
      const events: EventEnvelope[] = stream
        .next(BATCH)
        .map((event) =>
          mix === 'started'
            ? { ...event, data: { ...event.data, sealedData: sealed } }
            : { ...event, type: SESSION_ACTIVITY_RECORDED, data: { name: 'GET /home', status: 'success' } },
        );
      const asLogged = stored ? await writer.encodeAll(events) : events;
      return asLogged.map((event) => ({ raw: JSON.stringify(event), position: String(++position) }));
    };
    for (let round = 0; round < rounds; round += 1) {
      for (let i = 0; i < names.length; i += 1) {
        const name = names[(round + i) % names.length];
        const { projection, stored } = variants[name];
        // The JavaScript half alone, on a batch of its own (no INSERT).
        const alone = await next(stored);
        const jsBefore = process.cpuUsage();
        await projection.prepareLoaded(alone);
        const js = process.cpuUsage(jsBefore);
        totals[name].jsUs += js.user + js.system;
        // The whole projection of another batch.
        const records = await next(stored);
        const cpuBefore = process.cpuUsage();
        await projection.project(records, `decode-micro:${name}:${round}`);
        const cpu = process.cpuUsage(cpuBefore);
        totals[name].cpuUs += cpu.user + cpu.system;
        totals[name].events += BATCH;
      }
      process.stderr.write(`\rround ${round + 1}/${rounds}`);
    }
    process.stderr.write('\n');
    console.log(`mix ${mix}, ${users.toLocaleString('en-US')} users, ${rounds} rounds of ${BATCH.toLocaleString('en-US')} events per variant`);
    for (const [name, total] of Object.entries(totals)) {
      console.log(
        `${name.padEnd(20)} JavaScript half ${(total.jsUs / total.events).toFixed(2)} µs per event; whole projection ${(total.cpuUs / total.events).toFixed(1)} µs CPU per event`,
      );
    }
  } finally {
    await client.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

void main();

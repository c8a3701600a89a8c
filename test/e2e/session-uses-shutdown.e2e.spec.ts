import Database from 'better-sqlite3';
import { join } from 'node:path';
import { SEED_BODY, postJson, readJson, startApi } from '../support/api-app';
import { ManualClock } from '../support/manual-clock';
import { makeTempDir } from '../support/temp-dir';

/** A verify's use lives in memory until the next batch; shutting down writes it (embedded). */
describe('session uses at shutdown', () => {
  it('writes the uses seen since the last batch before the store closes', async () => {
    // The data directory is the test's, so it outlives the app for the check.
    const time = new ManualClock();
    const dir = makeTempDir('uses-shutdown');
    try {
      const api = await startApi({ DATA_DIR: dir.path }, { clock: time.clock });
      const session = await readJson(await postJson(`${api.baseUrl}/v1/sessions`, SEED_BODY));
      time.advance(60_000);
      const verify = await postJson(`${api.baseUrl}/v1/sessions/verify`, { ...SEED_BODY, data: undefined, token: session.token });
      expect((await readJson(verify)).valid).toBe(true);
      const verifiedAt = time.now();
      // Closes the app (its shutdown hooks) and checks every answer against the contract.
      await api.close();

      const db = new Database(join(dir.path, 'waymark.db'), { readonly: true });
      try {
        expect(db.prepare('SELECT last_used_at FROM sessions WHERE session_id = ?').pluck().get(session.sessionId)).toBe(verifiedAt);
      } finally {
        db.close();
      }
    } finally {
      dir.remove();
    }
  });
});

import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { LoggerService } from '@nestjs/common';
import { SqliteLogFacts } from '@waymark/event-log';
import { CLICKHOUSE } from '@waymark/read-model';
import { LOG_INTEGRITY, LogIntegrityMonitor, checkEmbeddedLogIntegrity } from '@waymark/storage';
import Database from 'better-sqlite3';
import { copyFileSync, rmSync, statSync, truncateSync } from 'node:fs';
import { AddressInfo } from 'node:net';
import { join } from 'node:path';
import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import { runCli } from '../../apps/cli/src/cli';
import { createApiApp } from '../../apps/api/src/bootstrap';
import { loadApiConfig } from '../../apps/api/src/config/api.config';
import { AUTH, SEED_BODY, TEST_KEY, postJson, readJson } from '../support/api-app';
import { makeTempDir } from '../support/temp-dir';
import { waitFor } from '../support/wait-for';

const SESSIONS = 40;
/** SQLite's default page size; a WAL frame is a 24-byte header and one page. */
const FRAME_BYTES = 24 + 4096;

interface Running {
  app: NestFastifyApplication;
  baseUrl: string;
}

/**
 * What a lost WAL tail looks like, and that Waymark says so. A crash leaves the last
 * commits in `waymark.db-wal`; if that file is cut short (a disk or a copy that lost
 * its end), SQLite replays the WAL up to the last whole commit and drops the rest
 * without any error: the log's head goes back, the checkpoints (same file) with it,
 * while chDB's files still hold the lost events.
 */
describe('event log integrity after a truncated WAL (embedded)', () => {
  const dir = makeTempDir('log-integrity');
  const database = join(dir.path, 'waymark.db');
  let running: Running | undefined;

  async function start(): Promise<Running> {
    const config = loadApiConfig({
      DATA_DIR: dir.path,
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'silent',
      NODE_ENV: 'test',
      WAYMARK_BOOTSTRAP_KEY: TEST_KEY,
      PROJECTOR_LINGER_MS: '0',
    });
    const app = await createApiApp(config);
    await app.listen({ port: 0, host: '127.0.0.1' });
    running = { app, baseUrl: `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}` };
    return running;
  }

  async function stop(): Promise<void> {
    await running?.app.close();
    running = undefined;
  }

  afterAll(async () => {
    await stop();
    dir.remove();
  });

  const headOf = (db: Database.Database) => db.prepare('SELECT coalesce(max(position), 0) FROM events').pluck().get() as number;

  async function activeSessionsOf(baseUrl: string, identifier: string): Promise<string[]> {
    const response = await fetch(
      `${baseUrl}/v1/sessions/active?product=${SEED_BODY.product}&env=${SEED_BODY.env}&tag=${SEED_BODY.tag}&identifier=${identifier}`,
      { headers: AUTH },
    );
    expect(response.status).toBe(200);
    const body = await readJson(response);
    return body.sessions.map((session: { sessionId: string }) => session.sessionId);
  }

  async function readiness(baseUrl: string) {
    const response = await fetch(`${baseUrl}/health/ready`);
    return { status: response.status, body: await readJson(response) };
  }

  it('a lost WAL tail is reported at start-up, keeps /health/ready at 503, and `waymark log repair` restores it', async () => {
    // 1. A running service: sessions started one commit at a time, all projected.
    const first = await start();
    const started: Array<{ userId: string; sessionId: string; token: string }> = [];
    for (let index = 0; index < SESSIONS; index += 1) {
      const userId = `wal-user-${index}`;
      const answer = await postJson(`${first.baseUrl}/v1/sessions`, { ...SEED_BODY, data: { ...SEED_BODY.data, userId } });
      expect(answer.status).toBe(201);
      const body = await readJson(answer);
      started.push({ userId, sessionId: body.sessionId, token: body.token });
    }
    await waitFor(
      () => readiness(first.baseUrl),
      (ready) => ready.status === 200 && ready.body.checks.eventLog.lag === 0,
    );

    // 2. The files as a crash leaves them: a second connection keeps SQLite from
    // checkpointing the WAL into the main file and deleting it when the service closes.
    const holder = new Database(database);
    const headBefore = headOf(holder);
    await stop();
    copyFileSync(database, `${database}.crash`);
    copyFileSync(`${database}-wal`, `${database}-wal.crash`);
    holder.close();
    copyFileSync(`${database}.crash`, database);
    copyFileSync(`${database}-wal.crash`, `${database}-wal`);
    rmSync(`${database}-shm`, { force: true });

    // 3. The WAL loses its last frames (a third of them, cut mid-frame).
    const walBytes = statSync(`${database}-wal`).size;
    const frames = Math.floor((walBytes - 32) / FRAME_BYTES);
    truncateSync(`${database}-wal`, 32 + Math.floor((frames * 2) / 3) * FRAME_BYTES + 100);

    // Observed: SQLite opens it without complaint; the head and the checkpoint went back together.
    const reopened = new Database(database);
    const headAfter = headOf(reopened);
    const checkpoint = reopened.prepare("SELECT position FROM checkpoints WHERE consumer = 'read-model'").pluck().get() as number | undefined;
    expect(reopened.pragma('integrity_check', { simple: true })).toBe('ok');
    reopened.close();
    expect(headAfter).toBeLessThan(headBefore);
    expect(checkpoint ?? 0).toBeLessThanOrEqual(headAfter);
    const lost = headBefore - headAfter;

    // 4. Start-up says so: an error line, a readiness reason, a metric.
    const second = await start();
    const monitor = second.app.get<LogIntegrityMonitor>(LOG_INTEGRITY);
    expect(monitor.report).toMatchObject({ ok: false, missingEvents: lost, findings: [{ kind: 'read_model_ahead', missingEvents: lost }] });
    const lines: Array<{ level: string; fields: Record<string, unknown>; text?: string }> = [];
    const recording: LoggerService = {
      log: (fields, text) => lines.push({ level: 'info', fields, text }),
      warn: (fields, text) => lines.push({ level: 'warn', fields, text }),
      error: (fields, text) => lines.push({ level: 'error', fields, text }),
    };
    await new LogIntegrityMonitor(
      () => checkEmbeddedLogIntegrity(new SqliteLogFacts(new Database(database, { readonly: true })), second.app.get(CLICKHOUSE), dir.path),
      recording,
    ).run();
    expect(lines).toEqual([{ level: 'error', fields: expect.objectContaining({ missingEvents: lost }), text: expect.stringContaining('waymark log repair') }]);

    const notReady = await readiness(second.baseUrl);
    expect(notReady.status).toBe(503);
    expect(notReady.body.reasons).toEqual([{ code: 'log_behind_read_model', detail: expect.stringContaining(`holds ${lost} events`) }]);
    const families = parsePrometheusTextFormat(await (await fetch(`${second.baseUrl}/metrics`)).text()) as Array<{
      name: string;
      metrics: Array<{ labels?: Record<string, string>; value: string }>;
    }>;
    const metric = (name: string, labels: Record<string, string> = {}) =>
      Number(
        families.find((family) => family.name === name)?.metrics.find((entry) => Object.entries(labels).every(([key, value]) => entry.labels?.[key] === value))
          ?.value,
      );
    expect(metric('waymark_log_integrity_missing_events')).toBe(lost);
    expect(metric('waymark_ready')).toBe(0);
    expect(metric('waymark_not_ready_reason', { reason: 'log_behind_read_model' })).toBe(1);
    expect(metric('waymark_not_ready_reason', { reason: 'clickhouse_unreachable' })).toBe(0);

    // The read model still shows the lost sessions, but their state is gone.
    const lostUser = started[started.length - 1];
    expect(await activeSessionsOf(second.baseUrl, lostUser.userId)).toEqual([]);
    await stop();

    // 5. The repair, on the stopped service: a dry run changes nothing, then the repair.
    const out: string[] = [];
    const io = { out: (text: string) => out.push(text), err: (text: string) => out.push(text), env: {}, progress: (text: string) => out.push(text) };
    expect(await runCli(['log', 'repair', '--data-dir', dir.path, '--dry-run'], io)).toBe(0);
    expect(out.join('\n')).toContain(`${lost} events the log lost`);
    expect(out.join('\n')).toContain('at their old positions');
    const untouched = new Database(database, { readonly: true });
    expect(headOf(untouched)).toBe(headAfter);
    untouched.close();

    out.length = 0;
    expect(await runCli(['log', 'repair', '--data-dir', dir.path], io)).toBe(0);
    expect(out.join('\n')).toContain(`restored ${lost} events; sessions rebuilt ${lost}`);
    const repaired = new Database(database, { readonly: true });
    expect(headOf(repaired)).toBe(headBefore);
    expect(repaired.prepare('SELECT count(*) FROM sessions').pluck().get()).toBe(SESSIONS);
    repaired.close();

    // 6. Ready again; the restored sessions verify; a second repair finds nothing.
    const third = await start();
    await waitFor(
      () => readiness(third.baseUrl),
      (ready) => ready.status === 200,
    );
    expect(await activeSessionsOf(third.baseUrl, lostUser.userId)).toEqual([lostUser.sessionId]);
    await stop();
    out.length = 0;
    expect(await runCli(['log', 'repair', '--data-dir', dir.path, '--dry-run'], io)).toBe(0);
    expect(out.join('\n')).toContain('nothing to restore');
  }, 120_000);
});

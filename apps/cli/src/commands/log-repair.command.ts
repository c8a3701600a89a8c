import { SqliteLogFacts, SqliteLogRestorer } from '@waymark/event-log';
import { SqliteSessionStore, SqliteSpecStore } from '@waymark/session-store';
import { RepairPlan, RepairReport, planEmbeddedLogRepair, runEmbeddedLogRepair } from '@waymark/storage';
import { CliCommand, EXIT } from '../cli-command';
import { openEmbeddedStores } from '../embedded-stores';
import { ProgressLine, renderProgress } from '../progress-bar';

/**
 * `waymark log repair`: after the start-up integrity check found that the embedded log
 * lost events the read model still has (a truncated or damaged WAL), puts them back
 * from the read model, with the session state they imply. On a STOPPED service: chDB's
 * data directory opens in one process at a time, and the repair must not race new
 * appends for positions; DATA_DIR's lock (openEmbeddedStores) enforces both.
 */
export const logRepairCommand: CliCommand = {
  name: 'log repair',
  summary: 'Put events the embedded log lost back into it, from the read model (service stopped).',
  usage: `waymark log repair [--data-dir DIR] [--dry-run]

Compares the embedded event log (DATA_DIR/waymark.db) with the read model
(DATA_DIR/clickhouse) and re-appends every event the read model holds that the log has
lost, in the old order (at their old positions when nothing took them since), with
the session and spec state they imply. --dry-run prints the plan and changes nothing.
Run it with the service stopped; start the service afterwards.

Cannot be restored: events the read model never had (lost before they were projected,
or dead-lettered), and refresh tokens (the log never holds them): sessions started or
refreshed in the lost part can be verified, revoked and extended but not refreshed.`,
  options: { 'data-dir': { type: 'string' }, 'dry-run': { type: 'boolean' } },
  async run(values, _positionals, io) {
    const stores = await openEmbeddedStores((values['data-dir'] as string | undefined) ?? io.env.DATA_DIR ?? './data', { whenBusy: 'stop the service first' });
    try {
      const { db, writer, eventLog, clickhouse } = stores;
      const repair = {
        clickhouse,
        facts: new SqliteLogFacts(db),
        restorer: new SqliteLogRestorer(db, writer),
        sessions: new SqliteSessionStore(db, writer, eventLog),
        specs: new SqliteSpecStore(db, writer, eventLog),
        // Restored events go back in the stored form (docs/privacy.md); erased users' do not.
        codec: stores.codec(),
      };
      const plan = await planEmbeddedLogRepair(repair);
      for (const line of describeRepairPlan(plan)) io.out(line);
      if (values['dry-run'] || plan.missing.length === 0) return EXIT.ok;
      const line = new ProgressLine(io.progress ?? io.err, io.isTty ?? false);
      const startedAt = Date.now();
      const report = await runEmbeddedLogRepair(plan, repair, (restored, total) => {
        const seconds = Math.max(0.001, (Date.now() - startedAt) / 1000);
        const rate = Math.round(restored / seconds);
        line.update(
          renderProgress({
            processed: restored,
            total,
            eventsPerSecond: rate,
            etaSeconds: rate > 0 ? Math.ceil((total - restored) / rate) : undefined,
            phase: 'restoring',
          }),
        );
      });
      line.finish(renderProgress({ processed: report.restored, total: plan.missing.length, eventsPerSecond: 0, etaSeconds: 0, phase: 'done' }));
      for (const text of describeRepairReport(plan, report)) io.out(text);
      return EXIT.ok;
    } finally {
      await stores.close();
    }
  },
};

function describeRepairPlan(plan: RepairPlan): string[] {
  const lines = [`event log ends at position ${plan.head}; the read model's newest position is ${plan.top}`];
  for (const checkpoint of plan.checkpointsAhead) {
    lines.push(`consumer "${checkpoint.consumer}" committed position ${checkpoint.position}, past the log's end`);
  }
  if (plan.missing.length === 0) {
    lines.push('the log holds every event the read model has: nothing to restore');
    return lines;
  }
  const first = plan.missing[0].position;
  const last = plan.missing[plan.missing.length - 1].position;
  const where =
    plan.placement.kind === 'original'
      ? 'at their old positions (nothing took them since)'
      : `at positions from ${plan.placement.first} on (new events took some of the old ones)`;
  const types = Object.entries(plan.byType)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([type, count]) => `${type} ${count}`)
    .join(', ');
  lines.push(`${plan.missing.length} events the log lost (read-model positions ${first}..${last}) will be restored ${where}: ${types}`);
  lines.push(`session state to restore for ${plan.sessions} sessions`);
  if (plan.unreadable.length > 0) lines.push(`${plan.unreadable.length} read-model rows no longer form a valid event and cannot be restored`);
  return lines;
}

function describeRepairReport(plan: RepairPlan, report: RepairReport): string[] {
  const lines = [
    `restored ${report.restored} events; sessions rebuilt ${report.sessionsRebuilt}, updated ${report.sessionsUpdated}; specs restored ${report.specsRestored}`,
    'not restorable: events the read model never had, and refresh tokens (sessions started or refreshed in the lost part cannot be refreshed)',
  ];
  if (report.stateNotApplied > 0) lines.push(`${report.stateNotApplied} session or spec events changed no state (already there)`);
  if (report.unreadable > 0) lines.push(`${report.unreadable} unreadable read-model rows skipped`);
  lines.push(
    plan.placement.kind === 'after'
      ? 'next: start the service, then run `waymark replay` so that the read model is rebuilt from the repaired log ' +
          '(events written after the loss may be missing from it)'
      : 'next: start the service; the projector projects the restored events again (the read model drops the duplicates)',
  );
  return lines;
}

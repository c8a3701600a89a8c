import { join } from 'node:path';
import { closedLoop } from './load/closed-loop';
import { startApiProcess } from './support/api-process';
import { Benchmark, BenchmarkRun, fmt, reported } from './support/benchmark';
import { readMemoryStatus, sampleMemory } from './support/proc-status';
import { seedSessionBody, startSessionLoad } from './support/seed';
import { sleep } from './support/stats';

/**
 * Resident memory of the embedded API process (Node heap, SQLite cache, chDB engine)
 * idle and under the start-session load, read from /proc so native memory counts.
 */
export const memoryBenchmark: Benchmark = {
  name: 'memory',
  title: 'Memory of the embedded API under start-session load',
  layout: 'API in its own process, sampled from /proc/<pid>/status every 100 ms; autocannon in the runner process',
  async run(context): Promise<BenchmarkRun> {
    const load = startSessionLoad(context.quick);
    const api = await startApiProcess(join(context.workDir, 'memory'));
    const failures: string[] = [];
    try {
      await sleep(1000);
      const idle = readMemoryStatus(api.pid);
      if (!idle) throw new Error(`cannot read /proc/${api.pid}/status (this benchmark needs Linux)`);
      const sampler = sampleMemory(api.pid);
      const body = seedSessionBody();
      const warmup = await closedLoop(
        { url: `${api.url}/v1/sessions`, method: 'POST', body, connections: load.connections, durationS: load.warmupS, label: 'warm-up' },
        context.progress,
      );
      const run = await closedLoop(
        {
          url: `${api.url}/v1/sessions`,
          method: 'POST',
          body,
          connections: load.connections,
          durationS: load.durationS,
          label: 'start-session load (memory sampled)',
        },
        context.progress,
      );
      const { samples, peakRss } = sampler.stop();
      const after = readMemoryStatus(api.pid);
      for (const [name, result] of [
        ['warm-up', warmup],
        ['load', run],
      ] as const) {
        if (result.non2xx + result.errors > 0) failures.push(`${name}: ${result.non2xx} non-2xx, ${result.errors} errors`);
      }
      const meanRss = samples.reduce((sum, value) => sum + value, 0) / Math.max(samples.length, 1);
      return {
        figures: [
          { label: 'RSS idle after start-up', value: fmt.mib(idle.rss) },
          { label: 'peak RSS (VmHWM) by the end of the load', value: fmt.mib(peakRss) },
          { label: 'mean RSS during the load', value: `${fmt.mib(meanRss)} (${samples.length} samples)` },
          { label: 'RSS right after the load', value: after ? fmt.mib(after.rss) : 'n/a' },
          { label: 'load', value: `${load.connections} connections, ${load.warmupS + load.durationS} s, ${fmt.perSecond(run.okPerSecond)} sessions` },
        ],
        verdicts: [reported('peak RSS under start-session load', fmt.mib(peakRss))],
        failures,
      };
    } finally {
      await api.stop();
    }
  },
};

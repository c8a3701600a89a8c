import { readFileSync } from 'node:fs';

export interface MemoryStatus {
  /** Resident set size now, bytes. */
  rss: number;
  /** Peak resident set size since the process started (VmHWM), bytes. */
  peakRss: number;
}

/** Reads a process's resident memory from /proc (Linux), which sees native memory (chDB, SQLite) too. */
export function readMemoryStatus(pid: number): MemoryStatus | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    return undefined;
  }
  const kib = (field: string): number => {
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(text);
    return match ? Number(match[1]) * 1024 : 0;
  };
  return { rss: kib('VmRSS'), peakRss: kib('VmHWM') };
}

/** Samples a process's RSS at a fixed interval; `stop()` returns what was seen. */
export function sampleMemory(pid: number, intervalMs = 100): { stop: () => { samples: number[]; peakRss: number } } {
  const samples: number[] = [];
  let peakRss = 0;
  const timer = setInterval(() => {
    const status = readMemoryStatus(pid);
    if (!status) return;
    samples.push(status.rss);
    peakRss = Math.max(peakRss, status.peakRss);
  }, intervalMs);
  return {
    stop: () => {
      clearInterval(timer);
      const last = readMemoryStatus(pid);
      if (last) peakRss = Math.max(peakRss, last.peakRss);
      return { samples, peakRss };
    },
  };
}

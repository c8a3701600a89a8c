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

/** Clock ticks per second of /proc/<pid>/stat times; 100 on every Linux this runs on (USER_HZ). */
const TICKS_PER_SECOND = 100;

/**
 * CPU seconds a process has used so far, user + system, all its threads (chDB's and
 * libuv's included). Differences of it give CPU per request, which other jobs on a
 * shared machine disturb far less than throughput.
 */
export function readCpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which may contain spaces) start at state (field 3).
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  return (utime + stime) / TICKS_PER_SECOND;
}

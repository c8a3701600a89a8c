export interface ProgressSnapshot {
  processed: number;
  total: number;
  eventsPerSecond: number;
  etaSeconds?: number;
  phase: string;
}

/** `[#########-----------]  45%  123,456/270,000 events  98,000 ev/s  ETA 2s  (replaying)` */
export function renderProgress(snapshot: ProgressSnapshot, width = 24): string {
  const ratio = snapshot.total > 0 ? Math.min(1, snapshot.processed / snapshot.total) : 1;
  const filled = Math.round(ratio * width);
  const eta = snapshot.etaSeconds === undefined ? '--' : formatDuration(snapshot.etaSeconds);
  const bar = `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${String(Math.floor(ratio * 100)).padStart(3)}%`;
  const counts = `${snapshot.processed.toLocaleString('en-US')}/${snapshot.total.toLocaleString('en-US')} events`;
  return `${bar}  ${counts}  ${snapshot.eventsPerSecond.toLocaleString('en-US')} ev/s  ETA ${eta}  (${snapshot.phase})`;
}

function formatDuration(seconds: number): string {
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  return minutes < 60 ? `${minutes}m${String(seconds % 60).padStart(2, '0')}s` : `${Math.floor(minutes / 60)}h${String(minutes % 60).padStart(2, '0')}m`;
}

/** Redraws one line on a terminal; elsewhere (CI logs, pipes) prints a line every few seconds. */
export class ProgressLine {
  private lastPrinted = 0;

  constructor(
    private readonly write: (text: string) => void,
    private readonly isTty: boolean,
    private readonly everyMs = 2000,
  ) {}

  update(text: string, force = false): void {
    if (this.isTty) {
      this.write(`\r${text}\u001b[K`);
      return;
    }
    const now = Date.now();
    if (force || now - this.lastPrinted >= this.everyMs) {
      this.lastPrinted = now;
      this.write(`${text}\n`);
    }
  }

  finish(text: string): void {
    this.update(text, true);
    if (this.isTty) this.write('\n');
  }
}

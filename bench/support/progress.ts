/**
 * Progress for anything longer than a few seconds, on stderr so stdout keeps only
 * results. On a terminal the line is redrawn in place; in a log (CI, a pipe) a line is
 * written every few seconds instead.
 */
export class Progress {
  private lastLineAt = 0;
  private drawn = false;
  private readonly tty = Boolean(process.stderr.isTTY);

  constructor(private readonly intervalMs = 5000) {}

  update(text: string): void {
    if (this.tty) {
      process.stderr.write(`\r\x1b[2K  ${text}`);
      this.drawn = true;
      return;
    }
    const now = Date.now();
    if (now - this.lastLineAt < this.intervalMs) return;
    this.lastLineAt = now;
    process.stderr.write(`  ${text}\n`);
  }

  /** A step worth a line of its own (starting a phase, a result). */
  note(text: string): void {
    this.clear();
    process.stderr.write(`  ${text}\n`);
  }

  clear(): void {
    if (this.tty && this.drawn) process.stderr.write('\r\x1b[2K');
    this.drawn = false;
    this.lastLineAt = 0;
  }
}

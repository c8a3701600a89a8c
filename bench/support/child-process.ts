/**
 * What every measured child process of the benchmarks shares: how it reports to the
 * runner and how it ends.
 */

/** Sends a message to the runner and resolves once it left, so exiting right after cannot drop it. */
export function sendAndFlush(message: Record<string, unknown>): Promise<void> {
  return new Promise((resolve, reject) => {
    if (!process.send) return resolve();
    process.send(message, undefined, undefined, (error) => (error ? reject(error) : resolve()));
  });
}

/**
 * Runs `main` as the child's whole job: exits 0 when it resolves, reports the error
 * (`{ type: 'failed' }`) and exits 1 when it rejects, and exits at once when the runner
 * says `stop`.
 */
export function runAsChild(main: () => Promise<void>): void {
  process.on('message', (message: { type: string }) => {
    if (message.type === 'stop') process.exit(0);
  });
  main().then(
    () => process.exit(0),
    (error: unknown) => {
      process.send?.({ type: 'failed', error: error instanceof Error ? (error.stack ?? error.message) : String(error) });
      process.exit(1);
    },
  );
}

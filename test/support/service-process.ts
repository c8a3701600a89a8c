import { ChildProcess } from 'node:child_process';

/**
 * What the test services started as child processes (Kafka mock broker, ClickHouse test
 * front, redis-server) share: waiting for the line that says they are up, and stopping.
 */

/**
 * The first line the service prints on stdout, trimmed, and its stderr so far (kept
 * collecting, for later error messages). Fails, killing the process, when it exits or
 * prints nothing within `timeoutMs`; the error carries its stderr. Both pipes keep
 * draining afterwards, so a chatty service never blocks on a full pipe.
 */
export function readFirstLine(child: ChildProcess, service: string, timeoutMs: number): Promise<{ line: string; stderr: () => string }> {
  return new Promise((resolve, reject) => {
    let stdout = '';
    let stderr = '';
    const fail = (reason: string) => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(new Error(`${service} ${reason}${stderr ? `:\n${stderr}` : ''}`));
    };
    const timer = setTimeout(() => fail(`printed no ready line within ${timeoutMs} ms`), timeoutMs);
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const newline = stdout.indexOf('\n');
      if (newline < 0) return;
      clearTimeout(timer);
      child.removeAllListeners('exit');
      child.stdout?.removeAllListeners('data');
      child.stdout?.resume();
      resolve({ line: stdout.slice(0, newline).trim(), stderr: () => stderr });
    });
    child.once('error', (error) => fail(`could not start (${error.message})`));
    child.once('exit', (code, signal) => fail(`exited before listening (code ${code}, signal ${signal})`));
  });
}

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** SIGTERM, then SIGKILL after `graceMs`; how it ended, or undefined when it had already gone. */
export function stopProcess(child: ChildProcess, graceMs = 5000): Promise<Exit | undefined> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(undefined);
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal });
    });
    child.kill('SIGTERM');
  });
}

import { ChildProcess, fork } from 'node:child_process';
import { join } from 'node:path';

export interface ProfileRequest {
  dir: string;
  name: string;
}

export interface TsProcessOptions {
  env?: Record<string, string>;
  /** Run under `node --cpu-prof`; the profile is written when the process exits. */
  profile?: ProfileRequest;
}

/** What a bench process can send back over IPC: progress, a figure set, or a failure. */
export type ProcessMessage = { type: string; [key: string]: unknown };

/**
 * Starts one of the bench's TypeScript entry points as its own Node process (with an
 * IPC channel), so the measured code never shares a core's event loop with the load
 * generator or the runner.
 */
export function startTsProcess(entry: string, options: TsProcessOptions = {}): ManagedProcess {
  const register = join(__dirname, 'ts-register.js');
  const execArgv = ['-r', register];
  if (options.profile) {
    execArgv.unshift(`--cpu-prof`, `--cpu-prof-dir=${options.profile.dir}`, `--cpu-prof-name=${options.profile.name}`);
  }
  const child = fork(entry, [], {
    execArgv,
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  return new ManagedProcess(child);
}

export class ManagedProcess {
  private output = '';
  private readonly exited: Promise<number | null>;

  constructor(readonly child: ChildProcess) {
    const keep = (chunk: Buffer) => {
      // Only the tail matters: it explains a crash.
      this.output = (this.output + chunk.toString()).slice(-20_000);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    this.exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
  }

  get pid(): number {
    return this.child.pid as number;
  }

  get log(): string {
    return this.output;
  }

  /** Resolves with the first message of `type`; rejects if the process exits first. */
  waitFor<T extends { type: string }>(type: string, timeoutMs = 120_000): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => done(new Error(`no '${type}' from the bench process within ${timeoutMs} ms\n${this.output}`)), timeoutMs);
      const onMessage = (message: ProcessMessage) => {
        if (message.type === 'failed') done(new Error(`bench process failed: ${String(message.error)}\n${this.output}`));
        else if (message.type === type) done(undefined, message as T);
      };
      const onExit = (code: number | null) => done(new Error(`bench process exited (${code}) before '${type}'\n${this.output}`));
      const done = (error?: Error, message?: T) => {
        clearTimeout(timer);
        this.child.off('message', onMessage);
        this.child.off('exit', onExit);
        if (error) reject(error);
        else resolve(message as T);
      };
      this.child.on('message', onMessage);
      this.child.once('exit', onExit);
    });
  }

  onMessage(listener: (message: ProcessMessage) => void): void {
    this.child.on('message', listener);
  }

  send(message: ProcessMessage): void {
    this.child.send(message);
  }

  /** Sends a request and waits for the answer of the given type. */
  async request<T extends { type: string }>(message: ProcessMessage, answer: string, timeoutMs?: number): Promise<T> {
    const reply = this.waitFor<T>(answer, timeoutMs);
    this.send(message);
    return reply;
  }

  /** Asks the process to finish cleanly (so a CPU profile gets written), then waits; kills it after the grace period. */
  async stop(graceMs = 30_000): Promise<number | null> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return this.child.exitCode;
    if (this.child.connected) this.send({ type: 'stop' });
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    const code = await this.exited;
    clearTimeout(timer);
    return code;
  }
}

/**
 * The `local` transport: commands run on this machine as child processes (no shell),
 * optionally behind a configured prefix (`sudo -n`, `nsenter -t PID -m -n`). For hosts gameday
 * runs on itself. The command's result comes when it has exited and its output is closed, so a
 * command that leaves a background process holding its stdout or stderr open runs until its
 * deadline (redirect a daemon's output to a file).
 */
import { spawn } from 'node:child_process';
import { TargetError } from '../errors.js';
import type { CommandResult, RunOptions, Transport } from './types.js';

export class LocalTransport implements Transport {
  readonly #prefix: readonly string[];
  readonly #timeoutMs: number;

  constructor(readonly host: string, options: { prefix?: readonly string[]; timeoutMs: number }) {
    this.#prefix = options.prefix ?? [];
    this.#timeoutMs = options.timeoutMs;
  }

  run(argv: readonly string[], options: RunOptions = {}): Promise<CommandResult> {
    const full = [...this.#prefix, ...argv];
    const [file, ...args] = full;
    if (file === undefined) return Promise.reject(new Error('empty command'));
    const timeoutMs = options.timeoutMs ?? this.#timeoutMs;
    const started = performance.now();
    return new Promise((resolve, reject) => {
      const child = spawn(file, args, { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, LC_ALL: 'C' } });
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      let settled = false;
      const finish = (fn: () => void): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        options.signal?.removeEventListener('abort', onAbort);
        fn();
      };
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        finish(() => reject(new TargetError(`${this.host}: ${file} did not finish within ${timeoutMs} ms`, { retryable: true })));
      }, timeoutMs);
      const onAbort = (): void => {
        child.kill('SIGKILL');
        finish(() => reject(new TargetError(`${this.host}: ${file} aborted`, { retryable: false, cause: options.signal?.reason })));
      };
      options.signal?.addEventListener('abort', onAbort, { once: true });
      child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
      child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
      child.on('error', (error) => finish(() => reject(new TargetError(`${this.host}: cannot run ${file}: ${error.message}`, { retryable: false, cause: error }))));
      child.on('close', (code, signal) => finish(() => resolve({
        code, signal, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8'), ms: performance.now() - started,
      })));
      child.stdin.on('error', () => undefined);
      child.stdin.end(options.stdin ?? '');
    });
  }

  close(): void {}
}

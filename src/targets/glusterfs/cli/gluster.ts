/**
 * The gluster CLI on one host of the pool, always `--mode=script --xml`. A command that
 * finds the cluster busy — "Another transaction is in progress", a lock held by a peer, a
 * request that timed out while a peer was unreachable — is retried with backoff for
 * `busyRetryForMs`; any other failure is a TargetError naming the host and the command.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { TargetError } from '../../../errors.js';
import { checkVolume } from '../common/identifiers.js';
import type { Transport } from '../../../transport/types.js';
import {
  parseCliOutput, parseHealInfo, parsePeerStatus, parseVolumeInfo, parseVolumeStatus,
  type BrickHeal, type Peer, type VolumeInfo, type VolumeStatus,
} from './xml.js';

/** Answers that mean "try again later", not "this cannot be done". */
const BUSY = /another transaction is in progress|locking failed on|unable to acquire lock|request timed out|staging failed on|commit failed on|cluster lock/i;

export function isBusyAnswer(message: string): boolean {
  return BUSY.test(message);
}

export interface GlusterOptions {
  /** How long busy answers are retried. */
  busyRetryForMs: number;
  /** First pause between busy retries; doubles up to 5 s. */
  busyDelayMs?: number;
  signal?: AbortSignal;
}

export class GlusterCli {
  constructor(readonly transport: Transport, private readonly options: GlusterOptions) {}

  get host(): string {
    return this.transport.host;
  }

  /** Runs `gluster --mode=script --xml ARGS`, retrying busy answers; returns the parsed `<cliOutput>`. */
  async xml(args: readonly string[]): Promise<ReturnType<typeof parseCliOutput>['root']> {
    const command = args.join(' ');
    const deadline = Date.now() + this.options.busyRetryForMs;
    let delay = this.options.busyDelayMs ?? 500;
    for (;;) {
      const result = await this.transport.run(['gluster', '--mode=script', '--xml', ...args], this.options.signal ? { signal: this.options.signal } : {});
      const out = result.stdout.trim();
      let failure: string;
      if (out.startsWith('<')) {
        const { outcome, root } = parseCliOutput(out, command);
        if (outcome.opRet === 0) return root;
        failure = outcome.opErrstr || `opRet ${outcome.opRet}, opErrno ${outcome.opErrno}`;
      } else {
        failure = (result.stderr.trim() || out || `exit code ${result.code ?? result.signal}`).split('\n')[0] ?? '';
        if (result.code === 127) throw new TargetError(`${this.host}: the gluster CLI is not installed (${failure})`, { retryable: false });
      }
      const busy = isBusyAnswer(failure);
      if (!busy || Date.now() + delay > deadline) {
        throw new TargetError(`${this.host}: gluster ${command} failed: ${failure}`, { retryable: busy });
      }
      await sleep(delay, undefined, this.options.signal ? { signal: this.options.signal } : {});
      delay = Math.min(delay * 2, 5000);
    }
  }

  async volumeInfo(volume: string): Promise<VolumeInfo> {
    const [info] = parseVolumeInfo(await this.xml(['volume', 'info', checkVolume(volume)]));
    if (!info) throw new TargetError(`${this.host}: volume ${volume} does not exist`, { retryable: false });
    return info;
  }

  async volumeStatus(volume: string): Promise<VolumeStatus> {
    const [status] = parseVolumeStatus(await this.xml(['volume', 'status', checkVolume(volume)]));
    if (!status) throw new TargetError(`${this.host}: gluster volume status ${volume} listed no volume`, { retryable: false });
    return status;
  }

  async healSummary(volume: string): Promise<BrickHeal[]> {
    return parseHealInfo(await this.xml(['volume', 'heal', checkVolume(volume), 'info', 'summary']));
  }

  async peerStatus(): Promise<Peer[]> {
    return parsePeerStatus(await this.xml(['peer', 'status']));
  }

  /** `volume start VOL force`: respawns bricks that are not running. Does nothing while their peer is disconnected. */
  async startForce(volume: string): Promise<void> {
    await this.xml(['volume', 'start', checkVolume(volume), 'force']);
  }

  /**
   * `volume heal VOL`: starts an index heal now. Its answer is plain text even with --xml;
   * an unsuccessful launch (a brick not back yet) is a retryable error.
   */
  async triggerHeal(volume: string): Promise<void> {
    const result = await this.transport.run(['gluster', '--mode=script', '--xml', 'volume', 'heal', checkVolume(volume)], this.options.signal ? { signal: this.options.signal } : {});
    const text = `${result.stdout}\n${result.stderr}`.trim();
    if (result.code === 0 && /has been successful/.test(text)) return;
    throw new TargetError(`${this.host}: gluster volume heal ${volume} failed: ${text.replace(/\s+/g, ' ').slice(0, 300)}`, { retryable: true });
  }

  async setOption(volume: string, key: string, value: string): Promise<void> {
    await this.xml(['volume', 'set', checkVolume(volume), key, value]);
  }

  async resetOption(volume: string, key: string): Promise<void> {
    await this.xml(['volume', 'reset', checkVolume(volume), key]);
  }
}

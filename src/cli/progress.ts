/**
 * Live progress of a run for a person: each state and step with elapsed time, probe values
 * as they come, faults as they are injected and restored, and a clear verdict. Colours and
 * an in-place hold line on a terminal; plain lines otherwise (logs, CI, pipes).
 */
import type { RunEvent } from '../experiments/events.js';

const colours = { red: 31, green: 32, yellow: 33, blue: 34, grey: 90, bold: 1 } as const;
type Colour = keyof typeof colours;

/** A listener that writes progress to `out`. */
export function progressPrinter(out: NodeJS.WriteStream): (event: RunEvent) => void {
  const tty = !!out.isTTY && !process.env['NO_COLOR'];
  const paint = (c: Colour, s: string): string => (tty ? `\x1b[${colours[c]}m${s}\x1b[0m` : s);
  let start = Date.now();
  let statusShown = false;
  const lastStatus = new Map<string, string>();
  const elapsed = (): string => `+${((Date.now() - start) / 1000).toFixed(1).padStart(5)}s`;
  const line = (s: string): void => {
    if (statusShown) out.write('\r\x1b[2K');
    statusShown = false;
    out.write(`${paint('grey', elapsed())} ${s}\n`);
  };
  const status = (s: string): void => {
    if (!tty) return;
    out.write(`\r\x1b[2K${paint('grey', elapsed())} ${s}`);
    statusShown = true;
  };
  const mark = (st: string): string => (st === 'ok' ? paint('green', '✔') : st === 'breach' || st === 'failed' ? paint('red', '✘') : st === 'skipped' ? '-' : paint('yellow', '!'));

  return (e) => {
    switch (e.kind) {
      case 'run':
        start = e.at;
        lastStatus.clear();
        line(paint('bold', `run ${e.runId} — ${e.experiment}${e.dryRun ? ' (dry run)' : ''}`));
        break;
      case 'state':
        if (e.state === 'holding') status(paint('blue', 'holding the fault…'));
        else if (e.state !== 'done') line(paint('blue', `▶ ${e.state}`));
        break;
      case 'step':
        line(`${mark(e.status)} ${e.step} (${e.durationMs} ms)${e.detail ? ` — ${e.detail}` : ''}`);
        break;
      case 'probe': {
        // a line when a probe's status changes (or on its first check); repeats only update the status line
        const text = `${mark(e.status)} [${e.phase}] ${e.probe}: ${e.detail} (${Math.round(e.ms)} ms)`;
        const key = `${e.phase}:${e.probe}`;
        if (lastStatus.get(key) === e.status) status(text);
        else line(text);
        lastStatus.set(key, e.status);
        break;
      }
      case 'fault':
        line(`${e.action === 'restore-error' ? paint('red', '✘') : paint('yellow', '⚡')} ${e.action} ${e.target}: ${e.detail}`);
        break;
      case 'plan':
        for (const l of e.lines) line(paint('yellow', l));
        break;
      case 'verdict': {
        const good = e.outcome === 'passed' || e.outcome === 'dry-run';
        const colour: Colour = good ? 'green' : e.outcome === 'restore-failed' ? 'red' : 'yellow';
        line(paint('bold', paint(colour, `verdict: ${e.outcome.toUpperCase()}`)) + (e.reason ? ` — ${e.reason}` : ''));
        break;
      }
    }
  };
}

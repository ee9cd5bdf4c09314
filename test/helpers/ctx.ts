import winston from 'winston';
import type { Ctx } from '../../src/targets/types.js';
import { makeCtx } from '../../src/experiments/ctx.js';

/** A silent logger that keeps its lines, so tests can assert on what was logged. */
export function memoryLogger(): { log: winston.Logger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const log = winston.createLogger({ level: 'debug', transports: [new winston.transports.Console({ silent: true })] });
  log.on('data', (info: Record<string, unknown>) => lines.push(info));
  return { log, lines };
}

/** A fault/probe context for tests: silent logger, fresh client cache, the given target settings. */
export function testCtx(settings: Record<string, unknown> = {}, signal = new AbortController().signal): Ctx {
  return makeCtx('test-run', memoryLogger().log, signal, settings);
}

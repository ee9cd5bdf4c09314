/**
 * One winston logger for the whole process. Readable lines on a terminal, JSON otherwise
 * (or when asked). Secrets never leave: values under secret-looking keys are replaced,
 * and every registered secret value is masked wherever it appears in a message or field.
 */
import winston from 'winston';

export type LogFormat = 'text' | 'json';
export type LogLevel = 'error' | 'warn' | 'info' | 'debug';

const SECRET_KEY = /(pass(word)?|secret|token|authorization|api[-_]?key|credential|cookie|private[-_]?key)/i;
const MASK = '[redacted]';
const secretValues = new Set<string>();

/** Masks this value everywhere it appears in later log lines. Values shorter than 4 characters are ignored. */
export function registerSecret(value: string | undefined): void {
  if (value && value.length >= 4) secretValues.add(value);
}

/** Replaces every registered secret value in a string. */
export function redactText(text: string): string {
  let out = text;
  for (const secret of secretValues) out = out.split(secret).join(MASK);
  return out;
}

/** Deep copy with secret keys masked and secret values replaced; never mutates its input. */
export function redact(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return redactText(value);
  if (depth > 8 || value === null || typeof value !== 'object') return value;
  if (value instanceof Error) return { name: value.name, message: redactText(value.message) };
  if (Array.isArray(value)) return value.map((v) => redact(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    out[k] = SECRET_KEY.test(k) && v !== undefined && v !== null ? MASK : redact(v, depth + 1);
  }
  return out;
}

const redactFormat = winston.format((info) => {
  for (const key of Object.keys(info)) {
    const v = info[key];
    info[key] = SECRET_KEY.test(key) && key !== 'level' ? MASK : redact(v);
  }
  info.message = typeof info.message === 'string' ? redactText(info.message) : info.message;
  return info;
});

const textFormat = winston.format.printf((info) => {
  const { level, message, timestamp, ...rest } = info;
  const meta = Object.entries(rest)
    .filter(([k]) => typeof k === 'string')
    .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
    .join(' ');
  return `${String(timestamp)} ${level.padEnd(5)} ${String(message)}${meta ? ' ' + meta : ''}`;
});

function formatFor(format: LogFormat): winston.Logform.Format {
  return format === 'json'
    ? winston.format.combine(redactFormat(), winston.format.timestamp(), winston.format.json())
    : winston.format.combine(redactFormat(), winston.format.timestamp({ format: 'HH:mm:ss.SSS' }), textFormat);
}

/** The process logger. Writes to stderr so stdout stays for command output. */
export const logger: winston.Logger = winston.createLogger({
  level: 'info',
  format: formatFor('text'),
  transports: [new winston.transports.Stream({ stream: process.stderr })],
});

/** Sets level and format once the config and flags are known. */
export function configureLogger(options: { level?: LogLevel; format?: LogFormat; silent?: boolean }): void {
  if (options.level) logger.level = options.level;
  if (options.format) logger.format = formatFor(options.format);
  if (options.silent !== undefined) logger.silent = options.silent;
}

export type Logger = winston.Logger;

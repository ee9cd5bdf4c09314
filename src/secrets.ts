/**
 * Secrets in configuration are references, never values: `{ env: NAME }` or `{ file: PATH }`.
 * A value is read only when a target needs it, is registered with the logger so it is
 * masked wherever it would appear, and is never part of an error message.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { GamedayError, errorMessage } from './errors.js';
import { registerSecret } from './log.js';

const SECRET_REF_MESSAGE =
  'expected a secret reference, { env: NAME } or { file: PATH } (secret values are never written in config files)';

/** A reference to a secret: an environment variable or a file (a relative file resolves against the config's directory). */
export const SecretRef = z.union(
  [
    z
      .object({
        env: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, {
          error: (issue) => `expected an environment variable name (letters, digits, _), got ${JSON.stringify(issue.input)}`,
        }),
      })
      .strict(),
    z.object({ file: z.string().min(1) }).strict(),
  ],
  { error: SECRET_REF_MESSAGE },
);
export type SecretRef = z.infer<typeof SecretRef>;

/**
 * The secret's value: the environment variable's value, or the file's content without its
 * final newline. Throws GamedayError naming the variable or file (never a value) when it is
 * unset, unreadable or empty. Every value returned is masked in logs from then on.
 */
export function resolveSecret(ref: SecretRef): string {
  const value = 'env' in ref ? fromEnv(ref.env) : fromFile(ref.file);
  registerSecret(value);
  return value;
}

function fromEnv(name: string): string {
  const value = process.env[name];
  if (value === undefined || value === '') {
    throw new GamedayError(`secret not available: environment variable ${name} is not set`);
  }
  return value;
}

function fromFile(file: string): string {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new GamedayError(`secret not available: cannot read file ${file} (${errorMessage(err)})`, { cause: err });
  }
  const value = text.replace(/\r?\n$/, '');
  if (value === '') throw new GamedayError(`secret not available: file ${file} is empty`);
  return value;
}

/**
 * Bearer tokens of the HTTP API. Values come from secret references or a tokens file, are
 * registered with the logger (masked wherever they would appear), and are kept only as
 * SHA-256 digests. A presented token is compared with every known digest in constant time
 * (`timingSafeEqual` on equal-length digests, no early exit), so neither a match nor its
 * position leaks through timing. Token values never appear in errors or logs.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { z } from 'zod';
import { GamedayError, errorMessage } from '../errors.js';
import { registerSecret } from '../log.js';
import { resolveSecret } from '../secrets.js';
import { Role, type DaemonConfig } from './config.js';

/** Who made a request: the token's name (for logs and the halt switch's `by`) and its role. */
export interface Caller {
  name: string;
  role: Role;
}

interface KnownToken extends Caller {
  digest: Buffer;
}

/** A tokens file: a YAML (or JSON) list of `{ name, role, token }`; the file itself is the secret. */
const TokensFile = z.array(z.object({ name: z.string().min(1), role: Role, token: z.string().min(16, { error: 'expected a token of at least 16 characters' }) }).strict());

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

/** The set of tokens the API accepts. */
export class TokenTable {
  private constructor(private readonly known: readonly KnownToken[]) {}

  /** Reads every configured token. Throws GamedayError naming the reference or file (never a value) when one cannot be read. */
  static load(config: Pick<DaemonConfig, 'tokens' | 'tokensFile'>): TokenTable {
    const known: KnownToken[] = config.tokens.map((t) => ({ name: t.name, role: t.role, digest: digest(resolveSecret(t.token)) }));
    if (config.tokensFile !== undefined) known.push(...readTokensFile(config.tokensFile));
    const names = new Set<string>();
    for (const t of known) {
      if (names.has(t.name)) throw new GamedayError(`daemon token name ${JSON.stringify(t.name)} is used twice; names identify callers and must be unique`);
      names.add(t.name);
    }
    return new TokenTable(known);
  }

  /** A table from plain values (tests, benches). */
  static of(entries: readonly (Caller & { token: string })[]): TokenTable {
    return new TokenTable(entries.map((e) => {
      registerSecret(e.token);
      return { name: e.name, role: e.role, digest: digest(e.token) };
    }));
  }

  /** Whether any token is configured. */
  get size(): number {
    return this.known.length;
  }

  /** The caller of an `Authorization` header value, or undefined when it is missing, malformed or unknown. */
  authenticate(header: string | undefined): Caller | undefined {
    const match = header === undefined ? null : /^Bearer ([\x21-\x7e]+)$/.exec(header.trim());
    if (!match?.[1]) return undefined;
    const presented = digest(match[1]);
    let found: KnownToken | undefined;
    for (const t of this.known) {
      // every entry is compared, whatever matched before
      if (timingSafeEqual(presented, t.digest) && !found) found = t;
    }
    return found && { name: found.name, role: found.role };
  }
}

function readTokensFile(file: string): KnownToken[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new GamedayError(`cannot read daemon tokens file ${file}: ${errorMessage(err)}`, { cause: err });
  }
  let data: unknown;
  try {
    data = parse(text);
  } catch {
    // the parser's message may quote the file's content, which holds the tokens
    throw new GamedayError(`daemon tokens file ${file} is not valid YAML; expected a list of { name, role, token }`);
  }
  const parsed = TokensFile.safeParse(data ?? []);
  if (!parsed.success) {
    const where = parsed.error.issues.map((i) => `${i.path.join('.') || '(top)'}: ${i.code === 'invalid_value' ? 'expected role viewer or operator' : i.message}`);
    throw new GamedayError(`daemon tokens file ${file} is invalid (expected a list of { name, role, token }): ${where.join('; ')}`);
  }
  return parsed.data.map((t) => {
    registerSecret(t.token);
    return { name: t.name, role: t.role, digest: digest(t.token) };
  });
}

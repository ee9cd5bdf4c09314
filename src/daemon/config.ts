/**
 * The `daemon:` section of the config: where the HTTP API listens, who may use it (bearer
 * tokens with a role, given as secret references or in a tokens file), limits, the catalog
 * it runs from, how long a shutdown may take, and Kubernetes leader election. Token values
 * are never written in the config itself; paths resolve against the config's directory.
 */
import { hostname } from 'node:os';
import { z } from 'zod';
import { Duration } from '../duration.js';
import { SecretRef } from '../secrets.js';

/** `HOST:PORT`, an IPv4 address or a name, or `[IPv6]:PORT`. */
const LISTEN = /^(?:\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):\d{1,5}$/;

export const Listen = z.string().regex(LISTEN, { error: (i) => `expected HOST:PORT such as 127.0.0.1:9464, got ${JSON.stringify(i.input)}` })
  .refine((v) => Number(v.slice(v.lastIndexOf(':') + 1)) <= 65535, { error: 'expected a port between 0 and 65535' });

/** Viewers read (GET /api/*); operators also start, abort, halt and resume. */
export const Role = z.enum(['viewer', 'operator']);
export type Role = z.infer<typeof Role>;

export const TokenEntry = z.object({ name: z.string().min(1), role: Role, token: SecretRef }).strict();
export type TokenEntry = z.infer<typeof TokenEntry>;

const Bytes = z.union([
  z.int().min(1),
  z.string().regex(/^\d+(?:[KM]i?B|B)?$/, { error: (i) => `expected a size such as 65536, 64KiB or 1MiB, got ${JSON.stringify(i.input)}` }),
]).transform((v) => (typeof v === 'number' ? v : parseBytes(v)));

function parseBytes(text: string): number {
  const m = /^(\d+)(KiB|KB|MiB|MB|B)?$/.exec(text);
  const n = Number(m?.[1] ?? 0);
  const unit = m?.[2] ?? 'B';
  return n * ({ B: 1, KB: 1000, KiB: 1024, MB: 1_000_000, MiB: 1024 * 1024 } as Record<string, number>)[unit]!;
}

/** The `daemon:` section as written. */
export const DaemonSection = z
  .object({
    listen: Listen.default('127.0.0.1:9464'),
    /** Where the CLI finds a running daemon (`status`, `halt`, `resume`, `run --remote`). */
    url: z.url({ protocol: /^https?$/, error: 'expected an http(s) URL such as http://127.0.0.1:9464' }).optional(),
    tokens: z.array(TokenEntry).default([]),
    tokensFile: z.string().min(1).optional(),
    metricsAuth: z.boolean().default(false),
    bodyLimit: Bytes.default(64 * 1024),
    shutdownTimeout: Duration.prefault('2m'),
    /** Folder of experiment files the daemon may run; default: the shipped catalog. */
    experiments: z.string().min(1).optional(),
    leaderElection: z
      .object({
        enabled: z.boolean().default(false),
        namespace: z.string().min(1).optional(),
        name: z.string().min(1).default('gameday'),
        identity: z.string().min(1).optional(),
        kubeconfig: z.string().min(1).optional(),
        leaseDuration: Duration.prefault('15s'),
        renewDeadline: Duration.prefault('10s'),
        retryPeriod: Duration.prefault('2s'),
      })
      .strict()
      .prefault({})
      .refine((l) => !l.enabled || l.namespace !== undefined, { error: 'leader election needs a namespace for its Lease', path: ['namespace'] })
      .refine((l) => l.renewDeadline < l.leaseDuration, { error: 'expected renewDeadline shorter than leaseDuration', path: ['renewDeadline'] })
      .refine((l) => l.retryPeriod * 1.2 < l.renewDeadline, { error: 'expected retryPeriod × 1.2 (jitter) shorter than renewDeadline', path: ['retryPeriod'] }),
  })
  .strict()
  .prefault({});
export type DaemonSection = z.output<typeof DaemonSection>;

/** The loaded `daemon:` section: durations in milliseconds, paths absolute. */
export interface DaemonConfig {
  listen: string;
  url?: string;
  tokens: TokenEntry[];
  tokensFile?: string;
  metricsAuth: boolean;
  bodyLimit: number;
  shutdownTimeoutMs: number;
  experiments?: string;
  leaderElection: {
    enabled: boolean;
    namespace?: string;
    name: string;
    identity: string;
    kubeconfig?: string;
    leaseDurationMs: number;
    renewDeadlineMs: number;
    retryPeriodMs: number;
  };
}

/** The section with paths resolved by `resolvePath` and the identity defaulted to $POD_NAME, else the host name. */
export function toDaemonConfig(section: DaemonSection, resolvePath: (path: string) => string, env: NodeJS.ProcessEnv = process.env): DaemonConfig {
  const le = section.leaderElection;
  return {
    listen: section.listen,
    ...(section.url !== undefined && { url: section.url }),
    tokens: section.tokens.map((t) => ({ ...t, token: 'file' in t.token ? { file: resolvePath(t.token.file) } : t.token })),
    ...(section.tokensFile !== undefined && { tokensFile: resolvePath(section.tokensFile) }),
    metricsAuth: section.metricsAuth,
    bodyLimit: section.bodyLimit,
    shutdownTimeoutMs: section.shutdownTimeout,
    ...(section.experiments !== undefined && { experiments: resolvePath(section.experiments) }),
    leaderElection: {
      enabled: le.enabled,
      ...(le.namespace !== undefined && { namespace: le.namespace }),
      name: le.name,
      identity: le.identity ?? (env.POD_NAME || hostname()),
      ...(le.kubeconfig !== undefined && { kubeconfig: resolvePath(le.kubeconfig) }),
      leaseDurationMs: le.leaseDuration,
      renewDeadlineMs: le.renewDeadline,
      retryPeriodMs: le.retryPeriod,
    },
  };
}


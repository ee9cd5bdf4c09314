/**
 * `targets.prometheus` in the config: the one Prometheus gameday asks, and how. Credentials
 * are secret references (`{ env }` or `{ file }`), never values, and are never part of the
 * URL. Parsing is idempotent (the config parses once, the client again), so durations stay
 * strings here and are read with `parseDuration` where they are used.
 */
import { z } from 'zod';
import { DURATION_PATTERN, durationMessage, parseDuration } from '../../duration.js';
import { SecretRef } from '../../secrets.js';

/** Deadline of one request to Prometheus unless the settings say otherwise. */
export const DEFAULT_TIMEOUT = '10s';

/** Header names the client sets itself: the `auth` key owns Authorization. */
const RESERVED_HEADERS = new Set(['authorization', 'accept', 'content-type', 'host', 'content-length']);

/** A base URL: http or https, an optional path prefix (`/prometheus`), no credentials, query or fragment. */
const BaseUrl = z
  .url({ protocol: /^https?$/, error: 'expected an http:// or https:// URL' })
  .superRefine((text, ctx) => {
    const url = new URL(text);
    if (url.username !== '' || url.password !== '') {
      ctx.addIssue({ code: 'custom', message: 'credentials do not belong in the URL: use auth (bearer or basic) with a secret reference' });
    }
    if (url.search !== '' || url.hash !== '') {
      ctx.addIssue({ code: 'custom', message: 'expected a base URL without query or fragment (a path prefix like /prometheus is fine)' });
    }
  });

/** `Authorization: Bearer <token>`, the token read from a secret reference. */
const BearerAuth = z.object({ bearer: SecretRef }).strict();

/** `Authorization: Basic …`: a plain user name and a password read from a secret reference. */
const BasicAuth = z
  .object({ basic: z.object({ username: z.string().min(1), password: SecretRef }).strict() })
  .strict();

/** How gameday authenticates to Prometheus (usually through a reverse proxy); absent: no credentials. */
export const PrometheusAuth = z.union([BearerAuth, BasicAuth], {
  error: 'expected { bearer: { env: NAME } } or { basic: { username: NAME, password: { env: NAME } } }',
});
export type PrometheusAuth = z.infer<typeof PrometheusAuth>;

export const PrometheusSettings = z
  .object({
    /** Base URL of Prometheus, with its path prefix if it is served under one: `http://prometheus.monitoring:9090`. */
    url: BaseUrl,
    auth: PrometheusAuth.optional(),
    /** Deadline of one request (`10s`); it is also sent to Prometheus as the evaluation `timeout`. */
    timeout: z
      .string()
      .regex(DURATION_PATTERN, { error: (issue) => durationMessage(issue.input) })
      .refine((text) => (parseDuration(text) ?? 0) > 0, 'expected a duration above zero')
      .default(DEFAULT_TIMEOUT),
    /** Extra request headers, not secret (e.g. `X-Scope-OrgID` for a multi-tenant front end). */
    headers: z
      .record(z.string().regex(/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/, 'expected an HTTP header name'), z.string())
      .refine((h) => Object.keys(h).every((name) => !RESERVED_HEADERS.has(name.toLowerCase())), {
        message: `these headers are set by gameday itself (Authorization comes from auth): ${[...RESERVED_HEADERS].join(', ')}`,
      })
      .optional(),
  })
  .strict();
export type PrometheusSettings = z.infer<typeof PrometheusSettings>;

/**
 * `targets.http` in the config: named endpoints, and headers whose values are secrets
 * (read from the environment or a file, never written in the config). Secret headers are
 * sent only to the named endpoints, never to a probe's ad-hoc `url`.
 */
import { z } from 'zod';
import { SecretRef } from '../../secrets.js';

/** Named base URLs (`hub: https://hub.example.org`) and secret headers (`{ env }` or `{ file }` references) for them. */
export const HttpSettings = z
  .object({
    endpoints: z.record(z.string().min(1), z.url({ protocol: /^https?$/ })).optional(),
    headers: z.record(z.string().min(1), SecretRef).optional(),
  })
  .strict();
export type HttpSettings = z.infer<typeof HttpSettings>;

/**
 * `targets.openstack` in the config: which cloud gameday acts on, and how it talks to it.
 * Credentials never appear here: they come from clouds.yaml (with secure.yaml) or the
 * `OS_*` environment variables, exactly as the openstack CLI finds them. Parsing is
 * idempotent (the config parses once, the client again), so durations stay strings here.
 */
import { z } from 'zod';
import { DURATION_PATTERN, durationMessage, parseDuration } from '../../duration.js';

/** Which endpoint of a service, as Keystone's catalog names them. */
export const EndpointInterface = z.enum(['public', 'internal', 'admin']);
export type EndpointInterface = z.infer<typeof EndpointInterface>;

/** The compute microversion sent with every Nova call unless the settings say otherwise. */
export const DEFAULT_COMPUTE_MICROVERSION = '2.37';

/** Deadline of one HTTP request unless the settings say otherwise. */
export const DEFAULT_TIMEOUT = '30s';

/** The cloud and its endpoints. Strict: an unknown key is a typo, never ignored. */
export const OpenStackSettings = z
  .object({
    /** Name of the cloud in clouds.yaml; absent: $OS_CLOUD, else the OS_* variables, else the file's only cloud. */
    cloud: z.string().min(1).optional(),
    /** Path of a clouds.yaml to read instead of searching the usual places. */
    cloudsFile: z.string().min(1).optional(),
    /** Region whose endpoints are used; absent: the cloud's region_name, else any region. */
    regionName: z.string().min(1).optional(),
    /** Endpoint interface; absent: the cloud's interface, else public. */
    interface: EndpointInterface.optional(),
    /** Nova microversion (`2.37`, or `latest`). */
    computeMicroversion: z
      .string()
      .regex(/^(\d+\.\d+|latest)$/, 'expected a microversion like 2.37 (or latest)')
      .default(DEFAULT_COMPUTE_MICROVERSION),
    /** Deadline of one HTTP request: `30s`, `2m`. */
    timeout: z
      .string()
      .regex(DURATION_PATTERN, { error: (issue) => durationMessage(issue.input) })
      .refine((text) => (parseDuration(text) ?? 0) > 0, 'expected a duration above zero')
      .default(DEFAULT_TIMEOUT),
  })
  .strict();
export type OpenStackSettings = z.infer<typeof OpenStackSettings>;

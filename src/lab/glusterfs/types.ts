/**
 * Shapes shared by the lab's GlusterFS hosts: what a command answers, and the names of the
 * pool. Rule: a command always answers (exit code, stdout, stderr) — a failure inside the
 * lab is reported to the world, never left as a hanging SSH channel.
 */

/** What a command run on a lab host answers. */
export interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** The pool's brick hosts (the lab OpenStack's brick VMs), in volume order. */
export const BRICK_HOSTS = ['brick-001', 'brick-002', 'brick-003', 'brick-004'] as const;

/** The host that has the volume FUSE-mounted (a Kubernetes worker VM). */
export const CLIENT_HOST = 'worker-001';

/** Every host with an SSH server, in port order (base+0 … base+4). */
export const SSH_HOSTS: readonly string[] = [...BRICK_HOSTS, CLIENT_HOST];

/** The volume, its brick directory and the client's mount point. */
export const VOLUME_NAME = 'home';
export const BRICK_PATH = '/bricks/home';
export const MOUNT_POINT = '/mnt/home';

/** A result with exit code 0. */
export function ok(stdout = '', stderr = ''): CommandResult {
  return { code: 0, stdout, stderr };
}

/** A result with a non-zero exit code and a message on stderr. */
export function fail(code: number, stderr: string, stdout = ''): CommandResult {
  return { code, stdout, stderr };
}

/**
 * OpenSSH known_hosts, read the way `ssh` reads it, to check the key a host offers.
 *
 * Supported: host patterns with `*` and `?` wildcards, comma-separated pattern lists, `!`
 * negation (a matching negated pattern excludes the line whatever else matches),
 * `[host]:port` for ports other than 22 (port 22 uses the bare host), hashed entries
 * (`|1|salt|hmac`: HMAC-SHA1 of `host` or `[host]:port` keyed with the salt), `@revoked`
 * (the key is refused for the hosts its line names, even when another line lists it),
 * comments and blank lines. Host names match case-insensitively.
 *
 * Not supported: `@cert-authority` lines (host certificates) are ignored, so a host known
 * only through a CA is reported unknown; add its plain key.
 *
 * Keys compare as raw public-key blobs (the base64 key field decoded); the key type is the
 * one inside the blob, and a line whose type field disagrees with its blob is skipped.
 */
import { createHash, createHmac } from 'node:crypto';

/** What known_hosts says about a key: known, or why not (with the 1-based line that decided, if one did). */
export type HostKeyCheck =
  | { ok: true }
  | { ok: false; reason: 'unknown' | 'changed' | 'revoked'; line?: number };

interface Entry {
  line: number;
  revoked: boolean;
  hosts: string;
  type: string;
  blob: Buffer;
}

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/** The key type named inside a public-key blob (`ssh-ed25519`, `ssh-rsa`, ...); undefined when the blob is malformed. */
export function keyType(blob: Buffer): string | undefined {
  if (blob.length < 4) return undefined;
  const length = blob.readUInt32BE(0);
  if (length === 0 || length > 64 || blob.length < 4 + length) return undefined;
  return blob.subarray(4, 4 + length).toString('latin1');
}

/** A key's fingerprint as OpenSSH prints it: `SHA256:` and the unpadded base64 digest of the blob. */
export function fingerprint(blob: Buffer): string {
  return `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`;
}

/** The name known_hosts files a host under: `host` on port 22, else `[host]:port`. */
export function hostEntryName(host: string, port: number): string {
  const name = host.toLowerCase();
  return port === 22 ? name : `[${name}]:${port}`;
}

function parse(text: string): Entry[] {
  const entries: Entry[] = [];
  for (const [index, raw] of text.split(/\r?\n/).entries()) {
    const fields = raw.trim().split(/[ \t]+/);
    if (fields[0] === undefined || fields[0] === '' || fields[0].startsWith('#')) continue;
    let revoked = false;
    if (fields[0].startsWith('@')) {
      if (fields[0] !== '@revoked') continue; // @cert-authority (unsupported) and unknown markers
      revoked = true;
      fields.shift();
    }
    const [hosts, typeField, keyField] = fields;
    if (hosts === undefined || typeField === undefined || keyField === undefined || !BASE64.test(keyField)) continue;
    const blob = Buffer.from(keyField, 'base64');
    const type = keyType(blob);
    if (type === undefined || type !== typeField) continue;
    entries.push({ line: index + 1, revoked, hosts, type, blob });
  }
  return entries;
}

function globMatch(pattern: string, name: string): boolean {
  const source = pattern
    .toLowerCase()
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replaceAll('*', '.*')
    .replaceAll('?', '.');
  return new RegExp(`^${source}$`, 's').test(name);
}

function hashedMatch(field: string, name: string): boolean {
  const parts = field.split('|'); // ['', '1', salt, hmac]
  const [, version, salt, hmac] = parts;
  if (parts.length !== 4 || version !== '1' || salt === undefined || hmac === undefined) return false;
  if (!BASE64.test(salt) || !BASE64.test(hmac)) return false;
  const digest = createHmac('sha1', Buffer.from(salt, 'base64')).update(name).digest();
  return digest.equals(Buffer.from(hmac, 'base64'));
}

/** Whether a host-patterns field names `name` (already in `hostEntryName` form). */
function hostsMatch(hosts: string, name: string): boolean {
  if (hosts.startsWith('|')) return hashedMatch(hosts, name);
  let positive = false;
  for (const pattern of hosts.split(',')) {
    if (pattern === '') continue;
    if (pattern.startsWith('!')) {
      if (globMatch(pattern.slice(1), name)) return false;
    } else if (globMatch(pattern, name)) {
      positive = true;
    }
  }
  return positive;
}

/**
 * Checks the key `host:port` offered against a known_hosts text. Revoked beats known; a
 * listed key of the same type that differs is `changed`; no listed key of that type is `unknown`.
 */
export function checkHostKey(knownHostsText: string, host: string, port: number, keyBlob: Buffer): HostKeyCheck {
  const name = hostEntryName(host, port);
  const type = keyType(keyBlob);
  const matching = parse(knownHostsText).filter((entry) => hostsMatch(entry.hosts, name));
  const revoked = matching.find((entry) => entry.revoked && entry.blob.equals(keyBlob));
  if (revoked) return { ok: false, reason: 'revoked', line: revoked.line };
  const sameType = matching.filter((entry) => !entry.revoked && entry.type === type);
  if (sameType.some((entry) => entry.blob.equals(keyBlob))) return { ok: true };
  const other = sameType[0];
  if (other) return { ok: false, reason: 'changed', line: other.line };
  return { ok: false, reason: 'unknown' };
}

/** The key types known_hosts lists for `host:port` (not revoked), in file order, without repeats. */
export function knownKeyTypes(knownHostsText: string, host: string, port: number): string[] {
  const name = hostEntryName(host, port);
  const types = parse(knownHostsText)
    .filter((entry) => !entry.revoked && hostsMatch(entry.hosts, name))
    .map((entry) => entry.type);
  return [...new Set(types)];
}

/**
 * Names as Kubernetes makes them. Rules: a pod-template-hash is a pure function of the
 * template (same template, same ReplicaSet name); generated suffixes use the API server's
 * alphabet without vowels, five characters long.
 */
import { randomInt } from 'node:crypto';

const ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

function fnv32a(text: string): number {
  let hash = 0x811c9dc5;
  for (const byte of Buffer.from(text, 'utf8')) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash >>> 0;
}

/** The pod-template-hash of a pod template (as in `hub-7c9f8d6b5`), with a collision count. */
export function templateHash(template: unknown, collisionCount = 0): string {
  const decimal = String(fnv32a(JSON.stringify(template) + (collisionCount ? `#${collisionCount}` : '')));
  return [...decimal].map((c) => ALPHABET.charAt(c.charCodeAt(0) % ALPHABET.length)).join('');
}

/** Five random characters of the API server's name alphabet. */
export function randomSuffix(length = 5): string {
  let out = '';
  for (let i = 0; i < length; i++) out += ALPHABET.charAt(randomInt(ALPHABET.length));
  return out;
}

/** Whether a name is a valid DNS-1123 subdomain (what most object names must be). */
export function isDnsSubdomain(name: string): boolean {
  return name.length > 0 && name.length <= 253 && /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/.test(name);
}

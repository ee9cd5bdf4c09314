/**
 * The reconfigured options of the volume `home`, as glusterd stores them. Rules measured on
 * GlusterFS 10: `volume info` lists them newest first (a new key goes in front, a changed
 * key keeps its place); `user.*` keys are free-form; any other key must be one glusterd
 * knows; `volume reset` of a key that is not set fails with "Option KEY does not exist"
 * for user.* and unknown keys, and succeeds (nothing to reset) for a known option.
 */

/** The options `home` was created and tuned with (newest first, like the fixture). */
const SEEDED: [string, string][] = [
  ['cluster.heal-timeout', '10'],
  ['network.ping-timeout', '5'],
  ['cluster.granular-entry-heal', 'on'],
  ['storage.fips-mode-rchecksum', 'on'],
  ['transport.address-family', 'inet'],
  ['nfs.disable', 'on'],
  ['performance.client-io-threads', 'off'],
];

/** Options glusterd accepts besides user.* (the ones a game day might touch). */
const KNOWN = new Set([
  ...SEEDED.map(([key]) => key),
  'cluster.self-heal-daemon', 'cluster.quorum-type', 'cluster.quorum-count', 'cluster.server-quorum-type', 'cluster.data-self-heal',
  'cluster.metadata-self-heal', 'cluster.entry-self-heal', 'cluster.favorite-child-policy', 'auth.allow', 'auth.reject',
  'diagnostics.brick-log-level', 'diagnostics.client-log-level', 'features.shard', 'performance.cache-size', 'network.frame-timeout',
]);

/** The volume's options. */
export class VolumeOptions {
  private entries: [string, string][] = SEEDED.map(([k, v]) => [k, v]);

  /** Every set option, newest first (copies). */
  list(): [string, string][] {
    return this.entries.map(([k, v]) => [k, v]);
  }

  /** The value of a set option. */
  get(key: string): string | undefined {
    return this.entries.find(([k]) => k === key)?.[1];
  }

  /** A numeric option in seconds, or `fallback` when unset or not a number. */
  seconds(key: string, fallback: number): number {
    const value = Number(this.get(key));
    return Number.isFinite(value) && value >= 0 && this.get(key) !== undefined ? value : fallback;
  }

  /** `volume set`: undefined on success, else glusterd's error text. */
  set(key: string, value: string): string | undefined {
    if (!isKnown(key)) return `option : ${key} does not exist`;
    const entry = this.entries.find(([k]) => k === key);
    if (entry) entry[1] = value;
    else this.entries.unshift([key, value]);
    return undefined;
  }

  /** `volume reset KEY`: undefined on success, else glusterd's error text. */
  reset(key: string): string | undefined {
    const before = this.entries.length;
    this.entries = this.entries.filter(([k]) => k !== key);
    if (this.entries.length < before) return undefined;
    return key.startsWith('user.') || !isKnown(key) ? `Option ${key} does not exist` : undefined;
  }
}

function isKnown(key: string): boolean {
  return (key.startsWith('user.') && key.length > 'user.'.length) || KNOWN.has(key);
}

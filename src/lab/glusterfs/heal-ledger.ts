/**
 * The volume's pending heals, per brick, and the self-heal daemon's progress per replica
 * set. Rules (measured on GlusterFS 10): a write that reaches only part of a replica set
 * leaves one pending entry on each brick that got it; entries drain only while every brick
 * of the set is available, once a crawl (every cluster.heal-timeout) or a `volume heal`
 * started healing the set, and healing stops when a brick goes away again. Entries owed to
 * a brick that was frozen (SIGSTOP) are left alone by the crawl after SIGCONT — only a
 * triggered `volume heal` (or a restart of that brick) makes them healable.
 */

/** What the self-heal daemon is doing for one replica set. */
export type HealMode = 'idle' | 'crawl' | 'full';

interface PendingEntries {
  /** Entries the periodic crawl heals. */
  crawl: number;
  /** Entries owed to a frozen brick: only a triggered heal picks them up. */
  triggerOnly: number;
}

/** Pending heal entries and heal progress. */
export class HealLedger {
  private readonly pending = new Map<string, PendingEntries>();
  private readonly modes: HealMode[];
  private readonly budget: number[];

  /** `sets[i]` lists the brick names of replica set i. */
  constructor(private readonly sets: readonly (readonly string[])[]) {
    for (const set of sets) for (const brick of set) this.pending.set(brick, { crawl: 0, triggerOnly: 0 });
    this.modes = sets.map(() => 'idle');
    this.budget = sets.map(() => 0);
  }

  /** One write that reached only `reached` (brick names); `owedToFrozen` when a missing brick is frozen. */
  record(reached: readonly string[], owedToFrozen: boolean): void {
    for (const brick of reached) {
      const entries = this.pending.get(brick);
      if (!entries) continue;
      if (owedToFrozen) entries.triggerOnly += 1;
      else entries.crawl += 1;
    }
  }

  /** Pending entries on a brick (what `heal info summary` counts). */
  count(brick: string): number {
    const entries = this.pending.get(brick);
    return entries ? entries.crawl + entries.triggerOnly : 0;
  }

  /** What the self-heal daemon does for set `index`. */
  mode(index: number): HealMode {
    return this.modes[index] ?? 'idle';
  }

  /** A crawl found set `index` whole: heal what the crawl heals, if anything. */
  crawl(index: number): void {
    if (this.mode(index) !== 'idle') return;
    if (this.bricksOf(index).some((b) => (this.pending.get(b)?.crawl ?? 0) > 0)) this.setMode(index, 'crawl');
  }

  /** `volume heal VOL` launched on set `index`: heal every entry. */
  trigger(index: number): void {
    if (this.bricksOf(index).some((b) => this.count(b) > 0)) this.setMode(index, 'full');
  }

  /** A brick of set `index` went away: healing stops until the next crawl or trigger. */
  interrupt(index: number): void {
    this.setMode(index, 'idle');
  }

  /** The brick the frozen entries were owed to was restarted: the crawl heals them from now on. */
  releaseTriggerOnly(index: number): void {
    for (const brick of this.bricksOf(index)) {
      const entries = this.pending.get(brick);
      if (!entries) continue;
      entries.crawl += entries.triggerOnly;
      entries.triggerOnly = 0;
    }
  }

  /** Heals set `index` for `seconds` at `perSecond` entries per brick; back to idle when nothing is left. */
  heal(index: number, seconds: number, perSecond: number): void {
    const mode = this.mode(index);
    if (mode === 'idle') return;
    const budget = (this.budget[index] ?? 0) + seconds * perSecond;
    const whole = Math.floor(budget);
    this.budget[index] = budget - whole;
    let left = 0;
    for (const brick of this.bricksOf(index)) {
      const entries = this.pending.get(brick);
      if (!entries) continue;
      const fromCrawl = Math.min(entries.crawl, whole);
      entries.crawl -= fromCrawl;
      if (mode === 'full') entries.triggerOnly -= Math.min(entries.triggerOnly, whole - fromCrawl);
      left += entries.crawl + (mode === 'full' ? entries.triggerOnly : 0);
    }
    if (left === 0) this.setMode(index, 'idle');
  }

  private setMode(index: number, mode: HealMode): void {
    this.modes[index] = mode;
    this.budget[index] = 0;
  }

  private bricksOf(index: number): readonly string[] {
    return this.sets[index] ?? [];
  }
}

// RespawnPolicy: how soon a process that died is replaced, and when the
// deaths come so fast that replacing them is pointless (a crash loop: a bad
// deploy, a port taken, a missing secret). Pure, on an injected clock, so the
// numbers are tested without waiting for them.

import { checkPositiveFields } from '../option-fields';

/** How the primary replaces processes that die. */
export interface RespawnOptions {
  /** The wait before the first replacement, in ms; it doubles with each death in the window (default 100). */
  minDelayMs?: number;
  /** The longest wait before a replacement, in ms (default 5000). */
  maxDelayMs?: number;
  /** This many deaths within `windowMs` is a crash loop: no more replacements (default 5). */
  maxDeaths?: number;
  /** The window deaths are counted over, in ms (default 10000). */
  windowMs?: number;
}

export type ResolvedRespawn = Required<RespawnOptions>;

export const DEFAULT_RESPAWN: ResolvedRespawn = { minDelayMs: 100, maxDelayMs: 5000, maxDeaths: 5, windowMs: 10_000 };

/** What to do about one death: replace the process after `delayMs`, or stop. */
export type RespawnDecision = { respawn: true; delayMs: number } | { respawn: false; deaths: number };

export class RespawnPolicy {
  /** When each death in the window happened. */
  private deaths: number[] = [];

  constructor(
    private readonly options: ResolvedRespawn,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** Counts a death that nobody asked for and says what to do about it. */
  died(): RespawnDecision {
    const now = this.now();
    this.deaths = this.deaths.filter((at) => now - at < this.options.windowMs);
    this.deaths.push(now);
    const count = this.deaths.length;
    if (count >= this.options.maxDeaths) return { respawn: false, deaths: count };
    const delayMs = Math.min(this.options.maxDelayMs, this.options.minDelayMs * 2 ** (count - 1));
    return { respawn: true, delayMs };
  }
}

/** Checks the `respawn` option of `runCluster`. */
export function checkRespawnOptions(value: unknown): ResolvedRespawn {
  const resolved = checkPositiveFields('respawn', value, DEFAULT_RESPAWN);
  if (resolved.minDelayMs > resolved.maxDelayMs) {
    throw new RangeError('Option "respawn.minDelayMs" must not exceed "respawn.maxDelayMs"');
  }
  return resolved;
}

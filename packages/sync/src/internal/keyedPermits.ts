import * as Effect from "effect/Effect"
import type { Restore } from "./handoff.js"
import { PermitPool } from "./permits.js"

/**
 * The permits of one key, how many fibers hold or wait for them, and the effects that give one
 * permit back and leave — made once per key in use, shared by all its users, not per call.
 */
class Entry<K> {
  readonly pool: PermitPool
  users = 0
  readonly letGoOne: Effect.Effect<void>
  readonly leave: Effect.Effect<void>

  constructor(permits: number, key: K, entries: Map<K, Entry<K>>) {
    this.pool = new PermitPool(permits)
    this.letGoOne = Effect.sync(() => this.pool.release(1))
    this.leave = Effect.sync(() => {
      if (--this.users === 0 && entries.get(key) === this) entries.delete(key)
    })
  }
}

/**
 * Permits per key — `KeyedLock` (one per key), `KeyedSemaphore` and the keyed concurrency
 * limiter of `@fiberkit/ratelimit` are all this. A key's `PermitPool` is made when a fiber first
 * asks for the key and forgotten when the last fiber that held or waited for it is done: `users`
 * counts them, from the step a fiber asks to the step it has let go (or left the line,
 * interrupted), so an entry is never dropped while someone still needs it, and a key nobody uses
 * costs nothing — no timer, no sweep.
 *
 * @internal
 */
export class KeyedPermits<K> {
  private readonly entries = new Map<K, Entry<K>>()

  constructor(public permits: number) {}

  /**
   * `effect` run holding `n` permits of `key`, given back however it ends. Must run inside the
   * caller's uninterruptible region, whose `restore` makes the wait and `effect` interruptible.
   */
  run<A, E, R>(key: K, n: number, restore: Restore, effect: Effect.Effect<A, E, R>, rank = 0): Effect.Effect<A, E, R> {
    let entry = this.entries.get(key)
    if (entry === undefined) {
      entry = new Entry(this.permits, key, this.entries)
      this.entries.set(key, entry)
    }
    entry.users++
    const held = entry
    const letGo = n === 1 ? held.letGoOne : Effect.sync(() => held.pool.release(n))
    const body = Effect.ensuring(restore(effect), letGo)
    // however it ends — done, failed, interrupted waiting or right after its turn came — the
    // fiber stops counting as a user in the same step as its last act on the key
    return Effect.ensuring(held.pool.takeThen(n, restore, body, rank), held.leave)
  }

  /** Permits of `key` free now (all of them for a key nobody uses; negative after a shrink). */
  available(key: K): number {
    return this.entries.get(key)?.pool.free ?? this.permits
  }

  /** Fibers waiting for permits of `key`. */
  waiting(key: K): number {
    return this.entries.get(key)?.pool.waiters.size ?? 0
  }

  /** Keys in use: held or waited for. */
  get size(): number {
    return this.entries.size
  }

  /** Every key's permits set to `permits`: waiters served at once on a grow, no holder preempted. */
  resize(permits: number): void {
    const delta = permits - this.permits
    this.permits = permits
    for (const entry of this.entries.values()) entry.pool.resize(delta)
  }
}

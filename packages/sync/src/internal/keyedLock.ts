import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import { pipeArguments } from "effect/Pipeable"
import type * as Api from "../KeyedLock.js"
import { PermitPool } from "./permits.js"

/** @internal */
export const TypeId: Api.TypeId = Symbol.for("@fiberkit/sync/KeyedLock") as Api.TypeId

/** The lock of one key, and how many fibers hold it or wait for it. */
interface Entry {
  readonly pool: PermitPool
  users: number
}

/**
 * A lock per key, made when a fiber first asks for the key and forgotten when the last fiber that
 * held or waited for it is done: `users` counts them, from the step a fiber asks to the step it
 * has let go (or left the line, interrupted), so an entry is never dropped while someone still
 * needs it, and a key nobody uses costs nothing. Each key's lock is a `PermitPool` of one permit:
 * strict FIFO, handed directly to the next waiter.
 *
 * @internal
 */
export class KeyedLockImpl<K> implements Api.KeyedLock<K> {
  readonly [TypeId]: Api.TypeId = TypeId
  private readonly entries = new Map<K, Entry>()

  pipe() {
    // eslint-disable-next-line prefer-rest-params
    return pipeArguments(this, arguments)
  }

  readonly withLock = (key: K) => <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
    Effect.uninterruptibleMask((restore) => {
      let entry = this.entries.get(key)
      if (entry === undefined) {
        entry = { pool: new PermitPool(1), users: 0 }
        this.entries.set(key, entry)
      }
      entry.users++
      const held = entry
      const body = Effect.matchCauseEffect(restore(effect), {
        onFailure: (cause) => this.letGo(held, Exit.failCause(cause)),
        onSuccess: (value) => this.letGo(held, Exit.succeed(value))
      })
      // however it ends — done, failed, interrupted waiting or right after its turn came — the
      // fiber stops counting as a user in the same step as its last act on the lock
      return Effect.ensuring(held.pool.takeThen(1, restore, body), Effect.sync(() => this.leave(key, held)))
    })

  private letGo<A, E>(entry: Entry, exit: Exit.Exit<A, E>): Exit.Exit<A, E> {
    entry.pool.release(1)
    return exit
  }

  private leave(key: K, entry: Entry): void {
    if (--entry.users === 0 && this.entries.get(key) === entry) this.entries.delete(key)
  }

  readonly isLocked = (key: K): Effect.Effect<boolean> =>
    Effect.sync(() => {
      const entry = this.entries.get(key)
      return entry !== undefined && entry.pool.free === 0
    })

  readonly keys: Effect.Effect<number> = Effect.sync(() => this.entries.size)
}

/** @internal */
export const make = <K>(): Effect.Effect<Api.KeyedLock<K>> => Effect.sync(() => new KeyedLockImpl<K>())

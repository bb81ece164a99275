import * as Effect from "effect/Effect"
import { pipeArguments } from "effect/Pipeable"
import type * as Api from "../KeyedLock.js"
import { KeyedPermits } from "./keyedPermits.js"

/** @internal */
export const TypeId: Api.TypeId = Symbol.for("@fiberkit/sync/KeyedLock") as Api.TypeId

/**
 * A lock per key: `KeyedPermits` of one permit per key — strict FIFO per key, handed directly to
 * the next waiter, and a key forgotten as soon as no fiber holds or waits for it.
 *
 * @internal
 */
export class KeyedLockImpl<K> implements Api.KeyedLock<K> {
  readonly [TypeId]: Api.TypeId = TypeId
  private readonly locks = new KeyedPermits<K>(1)

  pipe() {
    // eslint-disable-next-line prefer-rest-params
    return pipeArguments(this, arguments)
  }

  readonly withLock = (key: K) => <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
    Effect.uninterruptibleMask((restore) => this.locks.run(key, 1, restore, effect))

  readonly isLocked = (key: K): Effect.Effect<boolean> => Effect.sync(() => this.locks.available(key) === 0)

  readonly keys: Effect.Effect<number> = Effect.sync(() => this.locks.size)
}

/** @internal */
export const make = <K>(): Effect.Effect<Api.KeyedLock<K>> => Effect.sync(() => new KeyedLockImpl<K>())

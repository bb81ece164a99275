import * as Effect from "effect/Effect"
import { pipeArguments } from "effect/Pipeable"
import { InvalidOptions } from "../Errors.js"
import type * as Api from "../KeyedSemaphore.js"
import { KeyedPermits } from "./keyedPermits.js"
import { checkPermits, misuse, NonNegativeInt, validate } from "./validate.js"

/** @internal */
export const TypeId: Api.TypeId = Symbol.for("@fiberkit/sync/KeyedSemaphore") as Api.TypeId

/** @internal */
export class KeyedSemaphoreImpl<K> implements Api.KeyedSemaphore<K> {
  readonly [TypeId]: Api.TypeId = TypeId
  private readonly keyed: KeyedPermits<K>

  constructor(permits: number) {
    this.keyed = new KeyedPermits<K>(permits)
  }

  pipe() {
    // eslint-disable-next-line prefer-rest-params
    return pipeArguments(this, arguments)
  }

  get permits(): number {
    return this.keyed.permits
  }

  readonly withPermits =
    (key: K, n: number, rank = 0) => <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> => {
      const invalid = checkPermits("KeyedSemaphore.withPermits", n) ?? this.aboveLimit(n) ?? notARank(rank)
      if (invalid !== undefined) return misuse(invalid)
      return Effect.uninterruptibleMask((restore) => this.keyed.run(key, n, restore, effect, rank))
    }

  /** A count above a key's permits could never be served: a programming mistake. */
  private aboveLimit(n: number): InvalidOptions | undefined {
    if (n <= this.keyed.permits) return undefined
    return new InvalidOptions({
      operation: "KeyedSemaphore.withPermits",
      field: "permits",
      expected: `an integer from 0 to ${this.keyed.permits}`,
      value: n
    })
  }

  readonly withPermit = (key: K) => <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
    Effect.uninterruptibleMask((restore) => this.keyed.run(key, 1, restore, effect))

  readonly available = (key: K): Effect.Effect<number> => Effect.sync(() => Math.max(0, this.keyed.available(key)))

  readonly waiting = (key: K): Effect.Effect<number> => Effect.sync(() => this.keyed.waiting(key))

  readonly keys: Effect.Effect<number> = Effect.sync(() => this.keyed.size)

  readonly resize = (permits: number): Effect.Effect<void, InvalidOptions> =>
    Effect.flatMap(
      validate("KeyedSemaphore.resize", "permits", NonNegativeInt, "an integer ≥ 0", permits),
      (n) => Effect.sync(() => this.keyed.resize(n))
    )
}

/** A rank that is not a number could not be placed in line. */
const notARank = (rank: number): InvalidOptions | undefined =>
  Number.isNaN(rank)
    ? new InvalidOptions({ operation: "KeyedSemaphore.withPermits", field: "rank", expected: "a number", value: rank })
    : undefined

/** @internal */
export const make = <K>(permits: number): Effect.Effect<Api.KeyedSemaphore<K>, InvalidOptions> =>
  Effect.map(
    validate("KeyedSemaphore.make", "permits", NonNegativeInt, "an integer ≥ 0", permits),
    (n) => new KeyedSemaphoreImpl<K>(n)
  )

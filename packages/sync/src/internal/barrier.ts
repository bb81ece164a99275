import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Option from "effect/Option"
import { pipeArguments } from "effect/Pipeable"
import type * as Api from "../Barrier.js"
import { BrokenBarrier, type InvalidOptions } from "../Errors.js"
import { type Node, WaitQueue } from "../WaitQueue.js"
import { Signal } from "./signal.js"
import { PositiveInt, validate } from "./validate.js"

type Reason = BrokenBarrier["reason"]

interface Waiter extends Node {
  /** Set when the generation trips (the arrival index) or breaks. */
  result: Exit.Exit<number, BrokenBarrier> | undefined
  resume: ((effect: Effect.Effect<number, BrokenBarrier>) => void) | undefined
}

/** @internal */
export const TypeId: Api.TypeId = Symbol.for("@fiberkit/sync/Barrier") as Api.TypeId

/** @internal */
export class BarrierImpl<E> implements Api.Barrier<E> {
  readonly [TypeId]: Api.TypeId = TypeId
  /** The parties of the current generation, in arrival order. */
  private readonly waiters = new WaitQueue<Waiter>()
  private broken: Reason | undefined = undefined
  /** While the last arrival runs the action: later arrivals wait for it to end (as in Python). */
  private tripping: Signal | undefined = undefined

  constructor(
    readonly parties: number,
    private readonly action: Effect.Effect<void, E> | undefined,
    private readonly timeout: Duration.Duration | undefined
  ) {}

  pipe() {
    // eslint-disable-next-line prefer-rest-params
    return pipeArguments(this, arguments)
  }

  private settle(waiter: Waiter, result: Exit.Exit<number, BrokenBarrier>): void {
    waiter.result = result
    waiter.resume?.(result)
  }

  private breakWith(reason: Reason): void {
    this.broken = reason
    const failure = Exit.fail(new BrokenBarrier({ reason }))
    for (const waiter of this.waiters.drain()) this.settle(waiter, failure)
  }

  readonly await: Effect.Effect<number, BrokenBarrier | E> = Effect.uninterruptibleMask((restore) =>
    Effect.suspend((): Effect.Effect<number, BrokenBarrier | E> => {
      const tripping = this.tripping
      if (tripping !== undefined) {
        return Effect.zipRight(restore(tripping.waitUnless(() => this.tripping !== tripping)), this.await)
      }
      if (this.broken !== undefined) return Effect.fail(new BrokenBarrier({ reason: this.broken }))
      if (this.waiters.size + 1 === this.parties) return this.trip(restore)
      const waiter: Waiter = { result: undefined, resume: undefined, prev: undefined, next: undefined, queued: false }
      this.waiters.push(waiter)
      const wait = Effect.async<number, BrokenBarrier>((resume) => {
        if (waiter.result !== undefined) resume(waiter.result)
        else waiter.resume = resume
      })
      const timed: Effect.Effect<Option.Option<number>, BrokenBarrier> = this.timeout === undefined
        ? Effect.map(wait, Option.some)
        : Effect.timeoutTo(wait, { duration: this.timeout, onSuccess: Option.some, onTimeout: Option.none })
      return Effect.matchCauseEffect(restore(timed), {
        onFailure: (cause) => {
          // interrupted while waiting: the party withdraws, as if it had never come
          if (waiter.result === undefined) this.waiters.remove(waiter)
          return Effect.failCause(cause)
        },
        onSuccess: (index): Effect.Effect<number, BrokenBarrier> => {
          if (Option.isSome(index)) return Effect.succeed(index.value)
          if (waiter.result === undefined) this.breakWith("timeout")
          return waiter.result!
        }
      })
    })
  )

  /** The last arrival: runs the action, then releases the generation with arrival indices. */
  private trip(
    restore: <A, E2, R>(effect: Effect.Effect<A, E2, R>) => Effect.Effect<A, E2, R>
  ): Effect.Effect<number, E> {
    const arrived = this.waiters.drain()
    const release = () => {
      arrived.forEach((waiter, index) => this.settle(waiter, Exit.succeed(index)))
      return Effect.succeed(arrived.length)
    }
    if (this.action === undefined) return release()
    const tripping = this.tripping = new Signal()
    const tripped = () => {
      this.tripping = undefined
      tripping.wakeAll()
    }
    return Effect.matchCauseEffect(restore(this.action), {
      onFailure: (cause) => {
        // a failed (or interrupted) action breaks the barrier for the whole generation
        const failure = Exit.fail(new BrokenBarrier({ reason: "action failed" }))
        for (const waiter of arrived) this.settle(waiter, failure)
        this.breakWith("action failed")
        tripped()
        return Effect.failCause(cause)
      },
      onSuccess: () => {
        tripped()
        return release()
      }
    })
  }

  readonly abort: Effect.Effect<void> = Effect.sync(() => this.breakWith("aborted"))

  readonly reset: Effect.Effect<void> = Effect.sync(() => {
    this.breakWith("reset")
    this.broken = undefined
  })

  readonly waiting: Effect.Effect<number> = Effect.sync(() => this.waiters.size)

  readonly isBroken: Effect.Effect<boolean> = Effect.sync(() => this.broken !== undefined)
}

/** @internal */
export const make = <E = never>(
  parties: number,
  options?: Api.Barrier.Options<E>
): Effect.Effect<Api.Barrier<E>, InvalidOptions> =>
  Effect.map(
    validate("Barrier.make", "parties", PositiveInt, "an integer ≥ 1", parties),
    (n) =>
      new BarrierImpl<E>(
        n,
        options?.action,
        options?.timeout === undefined ? undefined : Duration.decode(options.timeout)
      )
  )

import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Option from "effect/Option"
import { pipeArguments } from "effect/Pipeable"
import type * as Api from "../Barrier.js"
import { BrokenBarrier, InvalidOptions } from "../Errors.js"
import { WaitQueue } from "../WaitQueue.js"
import { withDeadline } from "./deadline.js"
import { type Restore, Waiter } from "./handoff.js"
import { Signal } from "./signal.js"
import { PositiveInt, validate } from "./validate.js"

type Reason = BrokenBarrier["reason"]

/** A party: its outcome is its arrival index once the generation trips, or `BrokenBarrier`. */
type Party = Waiter<number, BrokenBarrier>

/** @internal */
export const TypeId: Api.TypeId = Symbol.for("@fiberkit/sync/Barrier") as Api.TypeId

/** @internal */
export class BarrierImpl<E> implements Api.Barrier<E> {
  readonly [TypeId]: Api.TypeId = TypeId
  /** The parties of the current generation, in arrival order. */
  private readonly waiters = new WaitQueue<Party>()
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

  private breakWith(reason: Reason): void {
    this.broken = reason
    const failure = Exit.fail(new BrokenBarrier({ reason }))
    for (let party = this.waiters.first; party !== undefined; party = this.waiters.first) party.settle(failure)
  }

  readonly await: Effect.Effect<number, BrokenBarrier | E> = Effect.uninterruptibleMask((restore) =>
    this.arrive(restore)
  )

  /**
   * One arrival, in the caller's uninterruptible region: `restore` is that region's own, so a
   * party that arrived while the action ran, and arrives again once it is over, still waits
   * interruptibly (a nested `uninterruptibleMask` would restore to uninterruptible).
   */
  private arrive(restore: Restore): Effect.Effect<number, BrokenBarrier | E> {
    return Effect.suspend((): Effect.Effect<number, BrokenBarrier | E> => {
      const tripping = this.tripping
      if (tripping !== undefined) {
        return Effect.andThen(restore(tripping.waitUnless(() => this.tripping !== tripping)), this.arrive(restore))
      }
      if (this.broken !== undefined) return Effect.fail(new BrokenBarrier({ reason: this.broken }))
      if (this.waiters.size + 1 === this.parties) return this.trip(restore)
      const party: Party = new Waiter(this.waiters)
      this.waiters.push(party)
      // an interrupted party withdraws (settled, it leaves the line), as if it had never come
      const wait = party.wait(restore)
      if (this.timeout === undefined) return wait
      // the time runs out only for a party still in the line: once the last party has come, the
      // generation has tripped, and the action it runs does not count against anyone's timeout
      return withDeadline(this.timeout, () => {
        if (party.queued) this.breakWith("timeout")
      }, wait)
    })
  }

  /** The last arrival: runs the action, then releases the generation with arrival indices. */
  private trip(restore: Restore): Effect.Effect<number, E> {
    const arrived = this.waiters.drain()
    const release = () => {
      arrived.forEach((party, index) => party.grant(index))
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
        for (const party of arrived) party.settle(failure)
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
export const make = <E = never, R = never>(
  parties: number,
  options?: Api.Barrier.Options<E, R>
): Effect.Effect<Api.Barrier<E>, InvalidOptions, R> =>
  Effect.zipWith(
    validate("Barrier.make", "parties", PositiveInt, "an integer ≥ 1", parties),
    decodeTimeout(options?.timeout),
    (n, timeout) => [n, timeout] as const
  ).pipe(
    Effect.flatMap(([n, timeout]) => {
      const action = options?.action
      if (action === undefined) return Effect.succeed(new BarrierImpl<E>(n, undefined, timeout))
      // the action's services come from where the barrier is made, whichever party runs it
      return Effect.map(
        Effect.context<R>(),
        (context) => new BarrierImpl<E>(n, Effect.provideContext(action, context), timeout)
      )
    })
  )

/** The `timeout` option, decoded at construction: one `Duration.fromInput` rejects fails `InvalidOptions`. */
const decodeTimeout = (
  timeout: Duration.Input | undefined
): Effect.Effect<Duration.Duration | undefined, InvalidOptions> => {
  if (timeout === undefined) return Effect.succeed(undefined)
  const decoded = Duration.fromInput(timeout)
  return Option.isSome(decoded) ? Effect.succeed(decoded.value) : Effect.fail(
    new InvalidOptions({
      operation: "Barrier.make",
      field: "timeout",
      expected: "a Duration.Input",
      value: timeout
    })
  )
}

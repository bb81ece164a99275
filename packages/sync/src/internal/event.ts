import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import { pipeArguments } from "effect/Pipeable"
import type * as Api from "../Event.js"
import { decodeDeadline } from "./deadline.js"
import { Signal } from "./signal.js"

/** @internal */
export const TypeId: Api.TypeId = Symbol.for("@fiberkit/sync/Event") as Api.TypeId

/** @internal */
export class EventImpl implements Api.Event {
  readonly [TypeId]: Api.TypeId = TypeId
  private flag = false
  private readonly signal = new Signal()

  pipe() {
    // eslint-disable-next-line prefer-rest-params
    return pipeArguments(this, arguments)
  }

  readonly set: Effect.Effect<void> = Effect.sync(() => {
    this.flag = true
    this.signal.wakeAll()
  })

  readonly clear: Effect.Effect<void> = Effect.sync(() => {
    this.flag = false
  })

  readonly isSet: Effect.Effect<boolean> = Effect.sync(() => this.flag)

  private readonly ready = () => this.flag

  // the flag is read when the wait starts: set-then-clear before it leaves it waiting
  readonly wait: Effect.Effect<void> = this.signal.waitUnless(this.ready)

  // `true` once set (before or during the wait), `false` if the time ran out first
  readonly waitFor = (duration: Duration.Input): Effect.Effect<boolean> =>
    Effect.flatMap(
      decodeDeadline("Event.waitFor", duration),
      (decoded) => this.signal.waitUnlessWithin(this.ready, decoded)
    )

  readonly waiting: Effect.Effect<number> = Effect.sync(() => this.signal.size)
}

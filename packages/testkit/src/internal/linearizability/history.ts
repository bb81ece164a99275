import * as Effect from "effect/Effect"
import type * as Exit from "effect/Exit"
import type * as Api from "../../Linearizability.js"

/**
 * Records each operation's call and return, stamped from one counter: the runtime runs one fiber
 * at a time, so the stamps are the real order of events.
 *
 * @internal
 */
export class HistoryImpl<I, O> implements Api.History<I, O> {
  private clock = 0
  private readonly records: Array<
    { process: string | number; input: I; output: O | undefined; call: number; returned: number }
  > = []

  record<A, E, R>(
    process: string | number,
    input: I,
    effect: Effect.Effect<A, E, R>,
    output: (exit: Exit.Exit<A, E>) => O | undefined
  ): Effect.Effect<A, E, R> {
    return Effect.suspend(() => {
      const entry = { process, input, output: undefined as O | undefined, call: ++this.clock, returned: Infinity }
      this.records.push(entry)
      return Effect.onExit(effect, (exit) =>
        Effect.sync(() => {
          entry.output = output(exit)
          entry.returned = ++this.clock
        }))
    })
  }

  readonly operations: Effect.Effect<ReadonlyArray<Api.Operation<I, O>>> = Effect.sync(() =>
    this.records.map((entry) => ({ ...entry }))
  )
}

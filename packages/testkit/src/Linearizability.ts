/**
 * A linearizability check (Herlihy & Wing): given a sequential model of a primitive and the
 * operations a concurrent run recorded — each with its call, its return and what it returned —
 * it decides whether some sequential order explains them: an order that respects real time (an
 * operation that returned before another was called comes first) and in which the model gives
 * every recorded answer. If none does, it shrinks the history to the fewest operations that still
 * fail (its shortest failing prefix) and draws them.
 *
 * Pair it with `Interleavings`: record the operations of a scenario's actors in a `History`, and
 * check them at the end of every schedule.
 *
 * @since 0.2.0
 */
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import type * as Exit from "effect/Exit"
import * as internal from "./internal/linearizability/check.js"
import { HistoryImpl } from "./internal/linearizability/history.js"

/**
 * A sequential specification: `step(state, input, output)` is the state after an operation with
 * `input` answered `output` from `state`, or `undefined` if it could not have answered that
 * there. An operation whose output is unknown — still pending, or interrupted (`record`'s `output`
 * may map an interruption to `undefined`: in Effect an interruption that lands as an operation
 * ends drops its result, so whether it took effect is not known) — may take effect or not: it is
 * stepped with `output` `undefined` where it takes effect; return the state it would leave, or
 * `undefined` if it cannot have taken effect there.
 *
 * **Example**
 *
 * ```ts
 * import { Linearizability } from "@fiberkit/testkit"
 *
 * // a FIFO queue: offer answers "ok", take answers the oldest item (`undefined`: not known)
 * type Input = { readonly offer: number } | "take"
 * const queue: Linearizability.Model<ReadonlyArray<number>, Input, number | "ok"> = {
 *   init: [],
 *   step: (items, input, output) =>
 *     input !== "take"
 *       ? (output === undefined || output === "ok" ? [...items, input.offer] : undefined)
 *       : items.length > 0 && (output === undefined || output === items[0]) ? items.slice(1) : undefined
 * }
 * ```
 *
 * @since 0.2.0
 * @category models
 */
export interface Model<S, I, O> {
  /** The state before any operation. */
  readonly init: S
  /** The state after an operation with `input` answered `output`; `undefined` if it could not have. */
  readonly step: (state: S, input: I, output: O | undefined) => S | undefined
  /** Identifies a state, to skip states already explored. Default `JSON.stringify`. */
  readonly key?: ((state: S) => string) | undefined
  /** How an operation reads in a failure's picture. Default: input and output as JSON. */
  readonly describe?: ((input: I, output: O | undefined) => string) | undefined
}

/**
 * One recorded operation: who called it, with what, what it returned (`undefined` while it has
 * not), and the stamps of its call and return (`Infinity` while pending).
 *
 * **Example**
 *
 * ```ts
 * import type { Linearizability } from "@fiberkit/testkit"
 *
 * // the operations still running when the history was read
 * const pending = <I, O>(operations: ReadonlyArray<Linearizability.Operation<I, O>>) =>
 *   operations.filter((op) => op.returned === Infinity).map((op) => `${op.process}: ${JSON.stringify(op.input)}`)
 * ```
 *
 * @since 0.2.0
 * @category models
 */
export interface Operation<I, O> {
  readonly process: string | number
  readonly input: I
  readonly output: O | undefined
  readonly call: number
  readonly returned: number
}

/**
 * Records the operations of a concurrent run.
 *
 * **Example**
 *
 * ```ts
 * import { Effect, Exit } from "effect"
 * import type { Linearizability } from "@fiberkit/testkit"
 *
 * // record a call of `get` by `process`; an interrupted call's answer is unknown
 * const recorded = (history: Linearizability.History<"get", number>, process: number, get: Effect.Effect<number>) =>
 *   history.record(process, "get", get, (exit) => Exit.isSuccess(exit) ? exit.value : undefined)
 * ```
 *
 * @since 0.2.0
 * @category models
 */
export interface History<I, O> {
  /**
   * Runs `effect` as an operation of `process` with `input`; its exit becomes the output through
   * `output` (`undefined`: unknown, e.g. for an interruption — the operation may or may not have
   * taken effect).
   */
  record<A, E, R>(
    process: string | number,
    input: I,
    effect: Effect.Effect<A, E, R>,
    output: (exit: Exit.Exit<A, E>) => O | undefined
  ): Effect.Effect<A, E, R>
  /** The operations recorded so far. */
  readonly operations: Effect.Effect<ReadonlyArray<Operation<I, O>>>
}

/**
 * No sequential order explains the history. `operations` is its shortest failing prefix (the
 * operations called up to the first moment nothing explains; those running then are pending),
 * `picture` draws it.
 *
 * **Example**
 *
 * ```ts
 * import { Effect } from "effect"
 * import { Linearizability } from "@fiberkit/testkit"
 *
 * declare const model: Linearizability.Model<number, "increment", number>
 * declare const history: Linearizability.History<"increment", number>
 * const verdict = Effect.flatMap(history.operations, (ops) => Linearizability.check(model, ops)).pipe(
 *   Effect.catchTag("NotLinearizable", (e) => Effect.logError(`${e.operations.length} operations:\n${e.picture}`))
 * )
 * ```
 *
 * @since 0.2.0
 * @category errors
 */
export class NotLinearizable extends Data.TaggedError("NotLinearizable")<{
  readonly operations: ReadonlyArray<Operation<unknown, unknown>>
  readonly picture: string
}> {
  override get message(): string {
    return `no sequential order explains these ${this.operations.length} operations:\n${this.picture}`
  }
}

/**
 * A new, empty history.
 *
 * **Example**
 *
 * ```ts
 * import { Linearizability } from "@fiberkit/testkit"
 * import { Effect, Exit } from "effect"
 *
 * const program = Effect.gen(function*() {
 *   const history = yield* Linearizability.makeHistory<string, string>()
 *   yield* history.record("p1", "ping", Effect.succeed("pong"), Exit.match({
 *     onFailure: () => "failed",
 *     onSuccess: (answer) => answer
 *   }))
 *   return yield* history.operations
 * })
 * ```
 *
 * @since 0.2.0
 * @category constructors
 */
export const makeHistory = <I, O>(): Effect.Effect<History<I, O>> => Effect.sync(() => new HistoryImpl<I, O>())

const describeDefault = (input: unknown, output: unknown): string =>
  `${JSON.stringify(input)} → ${output === undefined ? "(pending)" : JSON.stringify(output)}`

/**
 * A sequential order of `operations` that `model` accepts, or `undefined` if there is none.
 *
 * **Example**
 *
 * ```ts
 * import { Linearizability } from "@fiberkit/testkit"
 *
 * // a register: write(v) answers "ok", read answers the last value written
 * type Input = { readonly write: number } | { readonly read: true }
 * const register: Linearizability.Model<number, Input, number | "ok"> = {
 *   init: 0,
 *   step: (state, input, output) =>
 *     "write" in input ? (output === "ok" ? input.write : undefined) : output === state ? state : undefined
 * }
 * const order = Linearizability.linearize(register, [
 *   { process: "a", input: { write: 1 }, output: "ok", call: 1, returned: 4 },
 *   { process: "b", input: { read: true }, output: 1, call: 2, returned: 3 }
 * ])
 * console.log(order?.map((op) => op.process)) // ["a", "b"]: the write took effect before the read
 * ```
 *
 * @since 0.2.0
 * @category utils
 */
export const linearize: <S, I, O>(
  model: Model<S, I, O>,
  operations: ReadonlyArray<Operation<I, O>>
) => ReadonlyArray<Operation<I, O>> | undefined = internal.linearize

/**
 * Succeeds if a sequential order explains `operations`; fails with `NotLinearizable`, holding
 * the shortest failing prefix of the history and its picture, if none does.
 *
 * **Example**
 *
 * ```ts
 * import { Linearizability } from "@fiberkit/testkit"
 * import { Effect, Exit } from "effect"
 *
 * const counter: Linearizability.Model<number, "increment", number> = {
 *   init: 0,
 *   step: (state, _input, output) => (output === undefined || output === state + 1 ? state + 1 : undefined)
 * }
 * const program = Effect.gen(function*() {
 *   const history = yield* Linearizability.makeHistory<"increment", number>()
 *   let value = 0
 *   const increment = Effect.sync(() => ++value)
 *   const answer = (exit: Exit.Exit<number>) => Exit.match(exit, { onFailure: () => -1, onSuccess: (n) => n })
 *   yield* Effect.all([
 *     history.record("a", "increment", increment, answer),
 *     history.record("b", "increment", increment, answer)
 *   ], { concurrency: 2 })
 *   yield* Linearizability.check(counter, yield* history.operations)
 * })
 * ```
 *
 * @since 0.2.0
 * @category utils
 */
export const check = <S, I, O>(
  model: Model<S, I, O>,
  operations: ReadonlyArray<Operation<I, O>>
): Effect.Effect<void, NotLinearizable> =>
  Effect.suspend(() => {
    if (internal.linearize(model, operations) !== undefined) return Effect.void
    const minimal = internal.minimize(model, operations)
    return Effect.fail(
      new NotLinearizable({
        operations: minimal as ReadonlyArray<Operation<unknown, unknown>>,
        picture: internal.render(minimal, model.describe ?? describeDefault)
      })
    )
  })

/**
 * JoinableQueue under the schedule explorer: fibers switched between any two ops, one actor
 * interrupted before a random op, a shutdown racing every operation. Every schedule's history must
 * be explained by a sequential queue (linearizability), nothing may be lost or delivered twice,
 * and no fiber may be left waiting on a shut-down queue.
 */
import { assert, describe, it } from "@effect/vitest"
import { Interleavings, Linearizability } from "@fiberkit/testkit"
import { Cause, Effect, Exit, Fiber, Number as N, Option, Result } from "effect"
import * as JoinableQueue from "../src/JoinableQueue.js"

type Kind = "fifo" | "lifo" | "priority"
type Input =
  | { readonly put: number }
  | { readonly tryPut: number }
  | { readonly take: true }
  | { readonly tryTake: true }
  | { readonly shutdown: true }
type Output = "ok" | number | "full" | "empty" | "shutdown"

interface State {
  readonly items: ReadonlyArray<number>
  readonly closed: boolean
}

/** The item a take gets in each kind of queue: the oldest, the newest, or the smallest. */
const next = (kind: Kind, items: ReadonlyArray<number>): number =>
  kind === "fifo" ? items[0]! : kind === "lifo" ? items[items.length - 1]! : Math.min(...items)

const without = (items: ReadonlyArray<number>, item: number): ReadonlyArray<number> => {
  const i = items.indexOf(item)
  return [...items.slice(0, i), ...items.slice(i + 1)]
}

/**
 * The sequential queue: Python 3.13's `Queue` with `shutdown()`. A put (or tryPut) adds while open
 * and not full; a take gets the next item, and fails shut down only once the queue is shut down
 * and empty. An operation whose output is unknown (`undefined`: still running, or interrupted —
 * an interruption that lands as an operation ends drops its result) may have taken effect, with
 * whatever output it would have had, or not.
 */
const model = (kind: Kind, capacity: number): Linearizability.Model<State, Input, Output> => ({
  init: { items: [], closed: false },
  step: (state, input, output) => {
    const { closed, items } = state
    if ("shutdown" in input) return { items, closed: true }
    if ("put" in input || "tryPut" in input) {
      const item = "put" in input ? input.put : input.tryPut
      if (output === "shutdown") return closed ? state : undefined
      if (output === "full") return !closed && items.length >= capacity ? state : undefined
      return !closed && items.length < capacity ? { items: [...items, item], closed } : undefined
    }
    if (items.length === 0) {
      if (output === "shutdown") return closed ? state : undefined
      return output === "empty" && "tryTake" in input && !closed ? state : undefined
    }
    const taken = next(kind, items)
    return output === undefined || output === taken ? { items: without(items, taken), closed } : undefined
  },
  describe: (input, output) => `${Object.keys(input)[0]}${"put" in input ? `(${input.put})` : ""} → ${output ?? "?"}`
})

/** What an operation answered; `undefined` if it was interrupted (it may or may not have taken effect). */
const answer = (exit: Exit.Exit<Output | void, unknown>): Output | undefined =>
  Exit.match(exit, {
    onFailure: (cause): Output | undefined => {
      const error = Option.getOrUndefined(Cause.findErrorOption(cause))
      const tag = typeof error === "object" && error !== null && "_tag" in error ? error._tag : undefined
      return tag === "QueueShutDown" ? "shutdown" : undefined
    },
    onSuccess: (value): Output => value ?? "ok"
  })

/** `tryPut`'s and `tryTake`'s answers in the model's words: `false` is "full", `None` "empty". */
const tryPut = (queue: JoinableQueue.JoinableQueue<number>, item: number) =>
  Effect.map(queue.tryPut(item), (added): Output | void => added ? undefined : "full")
const tryTake = (queue: JoinableQueue.JoinableQueue<number>) =>
  Effect.map(queue.tryTake, Option.getOrElse((): Output => "empty"))

const make = (kind: Kind, capacity: number) =>
  kind === "priority"
    ? JoinableQueue.make<number>({ kind, capacity, order: N.Order })
    : JoinableQueue.make<number>({ kind, capacity })

const scenario = (kind: Kind, capacity: number) =>
  Effect.gen(function*() {
    const queue = yield* Effect.orDie(make(kind, capacity))
    const history = yield* Linearizability.makeHistory<Input, Output>()
    const op = <E>(
      process: string,
      input: Input,
      effect: Effect.Effect<Output | void, E>
    ): Effect.Effect<Fiber.Fiber<Output | void, unknown>> =>
      Interleavings.fork(history.record(process, input, effect, answer))
    const actors = [
      yield* op("p1", { put: 3 }, queue.put(3)),
      yield* op("p2", { put: 1 }, queue.put(1)),
      yield* op("p3", { tryPut: 2 }, tryPut(queue, 2)),
      yield* op("c1", { take: true }, queue.take),
      yield* op("c2", { tryTake: true }, tryTake(queue)),
      yield* op("c3", { take: true }, queue.take)
    ]
    // the shutdown races every operation; it is never interrupted, so every waiter must end
    const closer = yield* Effect.forkChild(history.record("s", { shutdown: true }, queue.shutdown(), answer))
    yield* Fiber.await(closer)
    yield* Effect.forEach(actors, Fiber.await)
    // nothing lost: drained at the end, the queue holds what the history says is left
    yield* Effect.repeat(
      Effect.map(
        Effect.result(history.record("d", { tryTake: true }, tryTake(queue), answer)),
        (result) => Result.isSuccess(result) && result.success !== "empty"
      ),
      { while: (more) => more }
    )
    yield* Linearizability.check(model(kind, capacity === 0 ? Infinity : capacity), yield* history.operations)
  })

describe("Interleavings: JoinableQueue", () => {
  for (const [kind, capacity] of [["fifo", 2], ["lifo", 2], ["priority", 2], ["fifo", Infinity]] as const) {
    it.effect(`${kind}${Number.isFinite(capacity) ? `, capacity ${capacity}` : ""}: linearizable, nothing lost, no waiter stranded by a shutdown`, () =>
      Interleavings.explore(scenario(kind, Number.isFinite(capacity) ? capacity : 0), {
        schedules: 200,
        interrupts: true
      }).pipe(Effect.asVoid))
  }

  it.effect("a take or a put into a full queue racing a shutdown ends: it never waits for ever", () =>
    Interleavings.explore(
      Effect.gen(function*() {
        const queue = yield* Effect.orDie(JoinableQueue.make<number>({ capacity: 1 }))
        const taker = yield* Interleavings.fork(queue.take)
        const putter = yield* Interleavings.fork(Effect.andThen(queue.put(1), queue.put(2)))
        // the shutdown lands before any op of the actors, the first ones after a wake-up included
        const closed = yield* Interleavings.race(queue.shutdown())
        yield* closed
        yield* Fiber.await(taker)
        yield* Fiber.await(putter)
      }),
      { schedules: 300, interrupts: true }
    ))

  it.effect("join: returns once every item taken is marked done, or at an immediate shutdown", () =>
    Interleavings.explore(
      Effect.gen(function*() {
        const queue = yield* Effect.orDie(JoinableQueue.make<number>({ capacity: 1 }))
        const worker = Effect.forever(Effect.andThen(queue.take, Effect.orDie(queue.taskDone)))
        const workers = yield* Effect.forEach([1, 2], () => Effect.forkChild(worker))
        const producer = yield* Interleavings.fork(queue.putAll([1, 2, 3]))
        yield* Fiber.await(producer)
        yield* queue.join
        assert.strictEqual(yield* queue.unfinishedTasks, 0)
        yield* queue.shutdown({ immediate: true })
        yield* Effect.forEach(workers, Fiber.await)
      }),
      { schedules: 200, interrupts: true }
    ))
})

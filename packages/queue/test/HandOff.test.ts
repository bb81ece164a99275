/**
 * Regression tests from the issue 23 review: a served taker's reservation was a count, not an
 * item, so a `poll`, `tryTake`, `takeUpTo` or `take` could take the very item a waiting taker
 * had been served, a LIFO or priority taker claimed a newer item than it was served, and a served
 * `takeBatch` took items put after a `poll` was told the queue was empty. No sequential queue
 * explains those histories. Now a taker is handed its items themselves as it is served
 * (`internal/buffer.ts`: `hand` and `restore`).
 *
 * Each history runs in one fiber with no yield between its steps (a woken fiber resumes after a
 * `yieldNow`, so the served taker resumes only when this fiber waits), and is checked with
 * `Linearizability.check` against a sequential queue of the same kind.
 */
import { describe, it } from "@effect/vitest"
import { Leaks, Linearizability } from "@fiberkit/testkit"
import { Cause, Effect, Exit, Fiber, Number as N, Option } from "effect"
import * as JoinableQueue from "../src/JoinableQueue.js"

type Kind = "fifo" | "lifo" | "priority"
type Input =
  | { readonly put: number }
  | { readonly take: true }
  | { readonly poll: true }
  | { readonly takeUpTo: number }
  | { readonly takeBatch: number }
  | { readonly size: true }

/** The items in the order the queue of `kind` gives them out. */
const order = (kind: Kind, items: ReadonlyArray<number>): Array<number> =>
  kind === "fifo" ? [...items] : kind === "lifo" ? [...items].reverse() : [...items].sort((a, b) => a - b)

const without = (items: ReadonlyArray<number>, taken: ReadonlyArray<number>) =>
  items.filter((item) => !taken.includes(item))

/**
 * A sequential queue (items distinct). `takeUpTo(n)` takes everything there up to `n` (Effect's
 * meaning); `takeBatch(n)` takes the next 1 to `n` (it may leave some to other waiting takers).
 */
const model = (kind: Kind): Linearizability.Model<ReadonlyArray<number>, Input, string> => ({
  init: [],
  step: (items, input, output) => {
    const out = order(kind, items)
    if ("put" in input) return [...items, input.put]
    if ("size" in input) return output === undefined || output === String(items.length) ? items : undefined
    if ("poll" in input && output === "none") return items.length === 0 ? items : undefined
    if ("take" in input || "poll" in input) {
      if (items.length === 0) return undefined
      return output === undefined || output === String(out[0]) ? without(items, [out[0]!]) : undefined
    }
    const max = "takeUpTo" in input ? input.takeUpTo : input.takeBatch
    const most = Math.min(max, items.length)
    if (output === undefined) return without(items, out.slice(0, most)) // (not used with batches)
    const got = JSON.parse(output) as Array<number>
    const counts = "takeUpTo" in input ? got.length === most : got.length >= 1 && got.length <= most
    return counts && JSON.stringify(out.slice(0, got.length)) === output ? without(items, got) : undefined
  },
  describe: (input, output) => `${Object.keys(input)[0]}(${String(Object.values(input)[0])}) → ${output ?? "?"}`
})

const answer = (exit: Exit.Exit<unknown, unknown>): string | undefined =>
  Exit.match(exit, {
    onFailure: (cause) => Cause.hasInterruptsOnly(cause) ? undefined : `failure: ${Cause.pretty(cause)}`,
    onSuccess: (value) =>
      value === undefined || value === true
        ? "ok"
        : Option.isOption(value)
        ? Option.match(value, { onNone: () => "none", onSome: String })
        : Array.isArray(value)
        ? JSON.stringify(value)
        : String(value)
  })

/**
 * Runs `steps` in this fiber against a queue of `kind` with `waiter` forked first (and settled in
 * the takers' line), records every operation, releases a waiter still waiting at the end with a
 * last put, and checks that a sequential queue explains the history.
 */
const history = (
  kind: Kind,
  waiter: (queue: JoinableQueue.JoinableQueue<number>) => [Input, Effect.Effect<unknown, unknown>],
  steps: (
    queue: JoinableQueue.JoinableQueue<number>,
    op: <A, E>(input: Input, effect: Effect.Effect<A, E>) => Effect.Effect<A, E>,
    waiting: Fiber.Fiber<unknown, unknown>
  ) => Effect.Effect<void, unknown>
) =>
  Effect.gen(function*() {
    const queue = yield* Effect.orDie(
      JoinableQueue.make<number>({ kind, order: kind === "priority" ? N.Order : undefined })
    )
    const recorded = yield* Linearizability.makeHistory<Input, string>()
    const op = <A, E>(input: Input, effect: Effect.Effect<A, E>) => recorded.record("main", input, effect, answer)
    const [waiterInput, waiterEffect] = waiter(queue)
    const waiting = yield* Effect.forkChild(recorded.record("waiter", waiterInput, waiterEffect, answer))
    yield* Leaks.settle
    yield* Effect.orDie(steps(queue, op, waiting))
    yield* Leaks.settle
    if (waiting.pollUnsafe() === undefined) yield* op({ put: 99 }, queue.put(99))
    yield* Fiber.await(waiting)
    yield* Effect.orDie(Linearizability.check(model(kind), yield* recorded.operations))
  })

const take = (queue: JoinableQueue.JoinableQueue<number>): [Input, Effect.Effect<unknown, unknown>] => [
  { take: true },
  queue.take
]

describe("regression (issue 23 review): a served taker is handed its items themselves (linearizability)", () => {
  it.effect("fifo: after put(1) a poll answers None (1 served to a waiting taker); after put(2) a poll gets 1 and the taker 2", () =>
    history("fifo", take, (queue, op) =>
      Effect.gen(function*() {
        yield* op({ put: 1 }, queue.put(1)) // served to the waiter, which has not resumed yet
        yield* op({ poll: true }, queue.poll) // None: 1 is reserved
        yield* op({ put: 2 }, queue.put(2))
        yield* op({ poll: true }, queue.poll) // Some(1): the reserved item; the waiter then gets 2
      })))

  it.effect("fifo: takeUpTo(Infinity) takes the item served to a waiting taker, leaving it a newer one", () =>
    history("fifo", take, (queue, op) =>
      Effect.gen(function*() {
        yield* op({ put: 1 }, queue.put(1)) // served to the waiter
        yield* op({ put: 2 }, queue.put(2))
        yield* op({ put: 3 }, queue.put(3))
        // [1, 2]: neither [2, 3] (the waiter took 1 first) nor [1, 2, 3] (all there); the waiter
        // gets 3. (takeBatch's fast path shares pullUpTo and does the same.)
        yield* op({ takeUpTo: Infinity }, queue.takeUpTo(Infinity))
      })))

  it.effect("lifo: the taker served 1 resumes and claims the newer 2; 1, which a poll was told is gone, is still there", () =>
    history("lifo", take, (queue, op) =>
      Effect.gen(function*() {
        yield* op({ put: 1 }, queue.put(1)) // served to the waiter
        yield* op({ poll: true }, queue.poll) // None: so, sequentially, the waiter took 1
        yield* op({ put: 2 }, queue.put(2))
        yield* Leaks.settle // the waiter resumes now: it pops 2
        yield* op({ poll: true }, queue.poll) // Some(1)
      })))

  it.effect("priority: after put(1) a poll answers None; after put(5) a poll gets 1 and the served taker 5", () =>
    history("priority", take, (queue, op) =>
      Effect.gen(function*() {
        yield* op({ put: 1 }, queue.put(1)) // served to the waiter
        yield* op({ poll: true }, queue.poll) // None
        yield* op({ put: 5 }, queue.put(5))
        yield* op({ poll: true }, queue.poll) // Some(1); the waiter gets 5
      })))

  it.effect("takeBatch served with 1 also takes 2, put after a poll and size were told the queue is empty", () =>
    history("fifo", (queue) => [{ takeBatch: 10 }, queue.takeBatch(10)], (queue, op) =>
      Effect.gen(function*() {
        yield* op({ put: 1 }, queue.put(1)) // served to the batch taker
        yield* op({ poll: true }, queue.poll) // None
        yield* op({ size: true }, queue.size) // 0
        yield* op({ put: 2 }, queue.put(2))
        // the batch taker resumes with [1, 2]: sequentially it took before the poll, so not 2
      })))

  it.effect("an item handed to a taker interrupted before it resumes comes back to its place (documented: until then it is out)", () =>
    Effect.gen(function*() {
      const queue = yield* JoinableQueue.make<number>()
      const waiting = yield* Effect.forkChild(queue.take)
      yield* Leaks.settle
      yield* queue.put(1) // handed to the waiter, which has not resumed
      yield* queue.put(2)
      const before = yield* queue.poll // the next item after the handed one: 2
      yield* Fiber.interrupt(waiting) // gives 1 back, to its place before 2
      yield* queue.put(3)
      const after = yield* queue.takeUpTo(Infinity)
      if (before._tag !== "Some" || before.value !== 2 || after.join() !== "1,3") {
        return yield* Effect.die(`poll ${JSON.stringify(before)} then ${JSON.stringify(after)}`)
      }
    }))
})

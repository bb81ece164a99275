/**
 * fiberkit's `Event` (Python's `threading.Event`) against Effect 4's `Latch`, the built-in that
 * does the same job: a flag that fibers wait on, opened (`set` / `open`) and closed again
 * (`clear` / `close`).
 *
 * - broadcast: N fibers wait, one `set` / `open` wakes them all. fiberkit resumes every waiter
 *   inside `set`; `Latch.open` wakes them in a task it schedules.
 * - ping-pong: two fibers hand a turn back and forth through two flags (wait, clear, set the
 *   other's): the cost of waking one waiter.
 * - timed waits: N fibers wait with a deadline that does not expire, then one `set` / `open`.
 *   `Latch` has no timed wait; the built-in way is `Effect.timeoutOption(latch.await, d)`.
 * - cancelled waiters: N fibers wait, then all are interrupted (waiters that give up).
 */
import { Report } from "@fiberkit/bench"
import { Event } from "@fiberkit/sync"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Latch from "effect/Latch"

const WAITERS = 10_000
const ROUNDS = 10_000
const DEADLINE = "1 minute"

/** A flag, as both libraries offer it. */
interface Flag {
  readonly set: Effect.Effect<unknown>
  readonly clear: Effect.Effect<unknown>
  readonly wait: Effect.Effect<unknown>
  readonly waitFor: Effect.Effect<unknown>
}

const fiberkitFlag: Effect.Effect<Flag> = Effect.map(Event.make, (event) => ({
  set: event.set,
  clear: event.clear,
  wait: event.wait,
  waitFor: event.waitFor(DEADLINE)
}))

const latchFlag: Effect.Effect<Flag> = Effect.map(Latch.make(false), (latch) => ({
  set: latch.open,
  clear: latch.close,
  wait: latch.await,
  waitFor: Effect.timeoutOption(latch.await, DEADLINE)
}))

/** Forks `n` fibers running `body`; one yield lets them all reach their wait. */
const forkWaiting = (n: number, body: Effect.Effect<unknown>) =>
  Effect.gen(function*() {
    const fibers: Array<Fiber.Fiber<unknown>> = []
    for (let i = 0; i < n; i++) fibers.push(yield* Effect.forkChild(body))
    yield* Effect.yieldNow
    return fibers
  })

const broadcast = (make: Effect.Effect<Flag>, timed: boolean) => () =>
  Effect.runPromise(Effect.gen(function*() {
    const flag = yield* make
    const fibers = yield* forkWaiting(WAITERS, timed ? flag.waitFor : flag.wait)
    yield* flag.set
    yield* Fiber.joinAll(fibers)
  }))

const cancelled = (make: Effect.Effect<Flag>) => () =>
  Effect.runPromise(Effect.gen(function*() {
    const flag = yield* make
    const fibers = yield* forkWaiting(WAITERS, flag.wait)
    yield* Fiber.interruptAll(fibers)
  }))

const pingPong = (make: Effect.Effect<Flag>) => () =>
  Effect.runPromise(Effect.gen(function*() {
    const ping = yield* make
    const pong = yield* make
    const player = (mine: Flag, theirs: Flag) =>
      Effect.repeat(Effect.andThen(mine.wait, Effect.andThen(mine.clear, theirs.set)), { times: ROUNDS - 1 })
    const a = yield* Effect.forkChild(player(ping, pong))
    const b = yield* Effect.forkChild(player(pong, ping))
    yield* ping.set
    yield* Fiber.joinAll([a, b])
  }))

const floor = () =>
  Effect.runPromise(Effect.gen(function*() {
    const fibers = yield* forkWaiting(WAITERS, Effect.void)
    yield* Fiber.joinAll(fibers)
  }))

const waiters = WAITERS.toLocaleString("en")

await Report.main("packages/sync/bench/event.bench.ts", [
  {
    title: `Broadcast: ${waiters} fibers wait, one set wakes them all`,
    description: "Per operation = one waiter (fork, wait, wake, join). The floor forks and joins the same " +
      "fibers without waiting on anything.",
    operations: WAITERS,
    reference: "fiberkit Event",
    contenders: [
      { name: "fiberkit Event", run: broadcast(fiberkitFlag, false) },
      { name: "Effect Latch", run: broadcast(latchFlag, false) },
      { name: "fibers alone (floor)", run: floor }
    ]
  },
  {
    title: `Ping-pong: ${ROUNDS.toLocaleString("en")} turns handed back and forth through two flags`,
    description: "Per operation = one turn: wait for my flag, clear it, set the other fiber's.",
    operations: ROUNDS * 2,
    reference: "fiberkit Event",
    contenders: [
      { name: "fiberkit Event", run: pingPong(fiberkitFlag) },
      { name: "Effect Latch", run: pingPong(latchFlag) }
    ]
  },
  {
    title: `Timed waits: ${waiters} fibers wait with a ${DEADLINE} deadline, one set wakes them all`,
    description: "Per operation = one waiter. fiberkit: `event.waitFor(d)` (a boolean; the wait stays in the " +
      "calling fiber). Latch has no timed wait: `Effect.timeoutOption(latch.await, d)` races the wait " +
      "against a sleep.",
    operations: WAITERS,
    reference: "fiberkit Event.waitFor",
    contenders: [
      { name: "fiberkit Event.waitFor", run: broadcast(fiberkitFlag, true) },
      { name: "Effect Latch + timeoutOption", run: broadcast(latchFlag, true) }
    ]
  },
  {
    title: `Cancelled waiters: ${waiters} fibers wait, then all are interrupted`,
    description: "Per operation = one waiter (fork, wait, interrupted, leaves the line).",
    operations: WAITERS,
    reference: "fiberkit Event",
    contenders: [
      { name: "fiberkit Event", run: cancelled(fiberkitFlag) },
      { name: "Effect Latch", run: cancelled(latchFlag) }
    ]
  }
])

/**
 * Race conditions — lost updates, and two ways to avoid them.
 *
 * The guide's `counter += 1` is a read, then a write: a thread switch in between makes two
 * threads write the same value, and an increment is lost. Fibers switch only where they yield,
 * so `Effect.yieldNow` between the read and the write shows the same race on purpose. Then
 * the same counter is made safe with a `Lock` (Python's `with lock:`) and with `Ref.update`,
 * which reads and writes in one atomic step.
 *
 * Run: pnpm tsx examples/02-race-condition.ts
 */
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import { Lock } from "@fiberkit/sync"
import { Console, Effect, Ref } from "effect"

const FIBERS = 10
const INCREMENTS = 2_000
const EXPECTED = FIBERS * INCREMENTS

/** Runs `increment` INCREMENTS times in each of FIBERS concurrent fibers. */
const hammer = (increment: Effect.Effect<void>) =>
  Effect.forEach(
    Array.from({ length: FIBERS }),
    () => Effect.repeat(increment, { times: INCREMENTS - 1 }),
    { concurrency: "unbounded", discard: true }
  )

// Dangerous: read, let another fiber run, then write what was read plus one.
const readYieldWrite = (counter: Ref.Ref<number>) =>
  Effect.gen(function*() {
    const n = yield* Ref.get(counter)
    yield* Effect.yieldNow // a thread switch at the worst moment
    yield* Ref.set(counter, n + 1)
  })

const unsafeCounter = Effect.gen(function*() {
  const counter = yield* Ref.make(0)
  yield* hammer(readYieldWrite(counter))
  const total = yield* Ref.get(counter)
  const verdict = total < EXPECTED ? `lost updates (${EXPECTED - total} increments lost)` : "no update lost this time"
  yield* Console.log(`Unsafe counter: ${total} (expected ${EXPECTED}) — ${verdict}`)
})

// The same read-yield-write, but only one fiber at a time may be inside it.
const safeWithLock = Effect.gen(function*() {
  const lock = yield* Lock.make({ name: "counter" })
  const counter = yield* Ref.make(0)
  yield* hammer(lock.withLock(readYieldWrite(counter)))
  yield* Console.log(`Safe counter with Lock: ${yield* Ref.get(counter)}`)
})

// No lock needed: Ref.update reads and writes in one step, so there is no gap to switch in.
const safeWithRefUpdate = Effect.gen(function*() {
  const counter = yield* Ref.make(0)
  yield* hammer(Effect.andThen(Ref.update(counter, (n) => n + 1), Effect.yieldNow))
  yield* Console.log(`Safe counter with Ref.update: ${yield* Ref.get(counter)}`)
})

const program = Effect.gen(function*() {
  yield* Console.log(`${FIBERS} fibers each increment a shared counter ${INCREMENTS} times:`)
  yield* unsafeCounter
  yield* safeWithLock
  yield* safeWithRefUpdate
})

NodeRuntime.runMain(program)

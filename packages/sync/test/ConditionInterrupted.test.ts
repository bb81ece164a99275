import { assert, describe, it } from "@effect/vitest"
import { Interleavings, Leaks } from "@fiberkit/testkit"
import { Effect, Fiber, Scheduler } from "effect"
import * as Condition from "../src/Condition.js"

// One item, two consumers, one producer; consumer `a` is interrupted somewhere along the way. The
// promise: `b` still gets the item (a notification `a` woke with and did not act on goes on).
// `k` is the scheduler's yield budget and `d` the yields before the interruption: together they
// move the interruption over every step of `a` after its wake-up, where a yield sweep of the
// explorer alone does not land.

const pad = (n: number) => Effect.forEach(Array.from({ length: n }), () => Effect.void, { discard: true })
const yields = (n: number) => Effect.forEach(Array.from({ length: n }), () => Effect.yieldNow, { discard: true })
const withBudget = <A, E>(k: number, effect: Effect.Effect<A, E>) =>
  Effect.provideService(effect, Scheduler.MaxOpsBeforeYield, k)

type Consume = (condition: Condition.Condition, ready: () => boolean, take: () => void) => Effect.Effect<void, unknown>

/** Python's loop: `while not ready: wait()`. */
const whileLoop: Consume = (condition, ready, take) =>
  condition.withLock(Effect.gen(function*() {
    while (!ready()) yield* condition.wait
    take()
  }))

/** `waitUntil`, then take in a step of its own. */
const waitUntil: Consume = (condition, ready, take) =>
  condition.withLock(Effect.andThen(condition.waitUntil(Effect.sync(ready)), Effect.sync(take)))

/** `waitFor` with a long deadline, in a loop. */
const waitForLoop: Consume = (condition, ready, take) =>
  condition.withLock(Effect.gen(function*() {
    while (!ready()) yield* condition.waitFor("1 hour")
    take()
  }))

const oneItem = (consume: Consume, k: number, d: number) =>
  Effect.gen(function*() {
    const condition = yield* Condition.make()
    let items = 0
    let taken = 0
    const consumer = (padding: number) =>
      withBudget(
        k,
        Effect.andThen(
          pad(padding),
          consume(condition, () => items > 0, () => {
            items--
            taken++
          })
        )
      )
    const a = yield* Effect.forkChild(consumer(0))
    const b = yield* Effect.forkChild(consumer(1))
    yield* yields(2)
    const producer = yield* Effect.forkChild(
      withBudget(
        k,
        condition.withLock(Effect.andThen(
          Effect.sync(() => {
            items++
          }),
          condition.notify(1)
        ))
      )
    )
    yield* yields(d)
    yield* Fiber.interrupt(a)
    yield* Fiber.await(producer)
    // the item is taken by a, or else by b once the notification reaches it: wait for that, up to
    // 2 s (a loaded machine can hold b back for tens of milliseconds; a lost notification, never)
    for (let i = 0; i < 200 && taken === 0; i++) yield* Effect.sleep(10)
    const waiting = yield* condition.waiting
    yield* Fiber.interrupt(b)
    return { taken, items, waiting }
  })

const sweep = (consume: Consume) =>
  Effect.gen(function*() {
    const lost: Array<string> = []
    for (let k = 1; k <= 20; k++) {
      for (let d = 0; d < 10; d++) {
        const { items, taken, waiting } = yield* oneItem(consume, k, d)
        if (taken !== 1) lost.push(`k=${k} d=${d}: ${items} item left, ${waiting} waiting`)
      }
    }
    return lost
  })

describe("Condition: a notification is never lost to an interruption", () => {
  // Each failed before the fix: the `while` loop in 6 of the 200 combinations, `waitUntil` in more
  it.live(
    "the while-loop consumer, at every step after its wake-up",
    () => Effect.map(sweep(whileLoop), (lost) => assert.deepStrictEqual(lost, [])),
    60_000
  )

  it.live(
    "the waitUntil consumer, at every step after its wake-up",
    () => Effect.map(sweep(waitUntil), (lost) => assert.deepStrictEqual(lost, [])),
    60_000
  )

  it.live(
    "the waitFor consumer, at every step after its wake-up",
    () => Effect.map(sweep(waitForLoop), (lost) => assert.deepStrictEqual(lost, [])),
    60_000
  )

  it.effect(
    "the explorer finds no schedule that leaves the item with a consumer waiting",
    () =>
      Effect.forEach([1, 2, 3], (seed) =>
        Interleavings.explore(
          Effect.gen(function*() {
            const condition = yield* Condition.make()
            const items: Array<number> = []
            const consumed: Array<number> = []
            const consumers = yield* Effect.forEach([1, 2], () =>
              Interleavings.fork(Effect.orDie(waitUntil(condition, () => items.length > 0, () => {
                consumed.push(items.shift()!)
              }))))
            yield* Effect.orDie(condition.withLock(Effect.andThen(
              Effect.sync(() => {
                items.push(1)
              }),
              condition.notify()
            )))
            yield* Effect.timeoutOption(Effect.forEach(consumers, Fiber.await), "1 second")
            const waiting = yield* condition.waiting
            yield* Effect.forEach(consumers, Fiber.interrupt)
            assert.isFalse(items.length === 1 && waiting > 0, `item left with ${waiting} consumer(s) waiting`)
          }),
          { schedules: 300, interrupts: true, seed }
        ), { discard: true }),
    120_000
  )

  it.effect("a waiter whose hold ends in a failure after its wake-up passes the notification on; one that ends well does not", () =>
    Effect.gen(function*() {
      const condition = yield* Condition.make()
      const woke: Array<string> = []
      const waiter = (name: string, then: Effect.Effect<void, string>) =>
        Effect.forkChild(condition.withLock(Effect.andThen(
          condition.wait,
          Effect.andThen(
            Effect.sync(() => {
              woke.push(name)
            }),
            then
          )
        )))
      const failing = yield* waiter("failing", Effect.fail("boom"))
      yield* Leaks.settle
      const fine = yield* waiter("fine", Effect.void)
      yield* Leaks.settle
      const third = yield* waiter("third", Effect.void)
      yield* Leaks.settle
      yield* condition.withLock(condition.notify(1))
      yield* Fiber.await(failing)
      yield* Fiber.join(fine)
      yield* Leaks.settle
      assert.deepStrictEqual(woke, ["failing", "fine"])
      assert.strictEqual(yield* condition.waiting, 1)
      yield* Fiber.interrupt(third)
    }))
})

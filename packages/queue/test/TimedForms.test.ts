/**
 * `takeFor` / `putFor`: Python's `get(timeout=…)` / `put(item, timeout=…)`. The wait stays in
 * the calling fiber, so the answer always agrees with what happened to the item: `Some(item)` /
 * `true` exactly when the item moved, `None` / `false` exactly when it did not — also when a
 * hand-off and the deadline fall on the same instant.
 */
import { assert, describe, it } from "@effect/vitest"
import { Interleavings, Leaks } from "@fiberkit/testkit"
import { Cause, Effect, Exit, Fiber, Option, Scheduler } from "effect"
import type * as Duration from "effect/Duration"
import { TestClock } from "effect/testing"
import * as JoinableQueue from "../src/JoinableQueue.js"

const make = (capacity?: number) => JoinableQueue.make<number>({ capacity })

/** Well-typed, but `Duration.fromInput` rejects it. */
const malformed: Duration.Input = `${1e-7} seconds`
const defectMessage = (operation: string) =>
  `JoinableQueue.${operation}: duration must be a Duration.Input, got ${malformed}`

/** The message of the defect `effect` dies with. */
const defect = <A, E>(effect: Effect.Effect<A, E>) =>
  effect.pipe(
    Effect.flatMap(() => Effect.die(new Error("no defect"))),
    Effect.catchDefect((e) => Effect.succeed(e instanceof Error ? e.message : String(e))),
    Effect.orDie
  )

/** Interrupted, and nothing else (Effect 3's `Exit.isInterrupted`). */
const isInterrupted = <A, E>(exit: Exit.Exit<A, E>): boolean =>
  Exit.isFailure(exit) && Cause.hasInterruptsOnly(exit.cause)

/**
 * Effect 4 resumes a woken fiber inline, in the call that wakes it, so a waiter is served and
 * resumed in one step. With an op budget of 1 its fiber is switched out right after the wake-up,
 * still inside its interruptible wait: served, not yet resumed — the moment the tests that
 * interrupt a served waiter need. (Effect 3 resumed every woken fiber later, from the scheduler.)
 */
const wokenLate = <A, E>(effect: Effect.Effect<A, E>): Effect.Effect<A, E> =>
  Effect.provideService(effect, Scheduler.MaxOpsBeforeYield, 1)

describe("JoinableQueue.takeFor", () => {
  it.effect("Some(item) at once when an item is there; None once the time runs out, leaving no trace", () =>
    Effect.gen(function*() {
      const queue = yield* make()
      yield* queue.put(1)
      assert.deepStrictEqual(yield* queue.takeFor("1 second"), Option.some(1))
      const waiter = yield* Effect.forkChild(queue.takeFor("1 second"))
      yield* TestClock.adjust("999 millis")
      assert.isUndefined(waiter.pollUnsafe())
      yield* TestClock.adjust("1 millis")
      assert.deepStrictEqual(yield* Fiber.join(waiter), Option.none())
      yield* queue.put(2) // not reserved for the taker that left
      assert.strictEqual(yield* queue.size, 1)
      assert.deepStrictEqual(yield* queue.poll, Option.some(2))
    }))

  it.effect("Some(item) when an item comes in time", () =>
    Effect.gen(function*() {
      const queue = yield* make()
      const waiter = yield* Effect.forkChild(queue.takeFor("1 second"))
      yield* TestClock.adjust("500 millis")
      yield* queue.put(7)
      assert.deepStrictEqual(yield* Fiber.join(waiter), Option.some(7))
      assert.strictEqual(yield* queue.size, 0)
    }))

  it.effect("a taker that timed out does not hold up the takers behind it", () =>
    Effect.gen(function*() {
      const queue = yield* make()
      const timed = yield* Effect.forkChild(queue.takeFor("10 millis"))
      yield* Leaks.settle
      const patient = yield* Effect.forkChild(queue.take)
      yield* TestClock.adjust("10 millis")
      assert.deepStrictEqual(yield* Fiber.join(timed), Option.none())
      yield* queue.put(1)
      assert.strictEqual(yield* Fiber.join(patient), 1)
    }))

  it.effect("a put and the deadline on the same instant: the item is taken or left, never lost", () =>
    Effect.gen(function*() {
      // two sleeps due at the same instant run in the order they were registered: try both
      for (const putFirst of [true, false]) {
        const queue = yield* make()
        const put = Effect.andThen(Effect.sleep("1 second"), queue.put(1))
        const putter = putFirst ? yield* Effect.forkChild(put) : undefined
        yield* Leaks.settle
        const taker = yield* Effect.forkChild(queue.takeFor("1 second"))
        yield* Leaks.settle
        const late = putFirst ? undefined : yield* Effect.forkChild(put)
        yield* TestClock.adjust("1 second")
        yield* Fiber.join(putter ?? late!)
        const got = yield* Fiber.join(taker)
        const left = yield* queue.size
        assert.strictEqual(Option.getOrElse(got, () => 0) + left, 1, `putFirst: ${putFirst}`)
      }
    }))

  it.effect("interrupted while it waits: it leaves the line and takes nothing", () =>
    Effect.gen(function*() {
      const queue = yield* make()
      const waiter = yield* Effect.forkChild(queue.takeFor("1 second"))
      yield* Leaks.settle
      yield* Fiber.interrupt(waiter)
      yield* queue.put(1)
      assert.strictEqual(yield* queue.take, 1)
    }))

  it.effect("interrupted right after an item was reserved for it: the item goes to the next taker", () =>
    Effect.gen(function*() {
      const queue = yield* make()
      const first = yield* Effect.forkChild(wokenLate(queue.takeFor("1 second")))
      yield* Leaks.settle
      const second = yield* Effect.forkChild(queue.takeFor("1 second"))
      yield* Leaks.settle
      yield* Effect.withFiber((self) =>
        Effect.andThen(queue.put(42), Effect.sync(() => first.interruptUnsafe(self.id)))
      )
      assert.isTrue(isInterrupted(yield* Fiber.await(first)))
      assert.deepStrictEqual(yield* Fiber.join(second), Option.some(42))
    }))

  it.effect("fails QueueShutDown as take does: at once on a drained queue, and when waiting at the shutdown", () =>
    Effect.gen(function*() {
      const queue = yield* make()
      const waiter = yield* Effect.forkChild(queue.takeFor("1 second"))
      yield* Leaks.settle
      yield* queue.shutdown()
      assert.strictEqual((yield* Effect.flip(Fiber.join(waiter)))._tag, "QueueShutDown")
      assert.strictEqual((yield* Effect.flip(queue.takeFor("1 second")))._tag, "QueueShutDown")
    }))

  it.effect("a shut-down queue still gives what is left", () =>
    Effect.gen(function*() {
      const queue = yield* make()
      yield* queue.put(1)
      yield* queue.shutdown()
      assert.deepStrictEqual(yield* queue.takeFor(0), Option.some(1))
    }))

  it.effect("a malformed duration dies naming it before the taker joins the line: the next item is not lost", () =>
    Effect.gen(function*() {
      const queue = yield* make()
      assert.strictEqual(yield* defect(queue.takeFor(malformed)), defectMessage("takeFor"))
      yield* queue.put(1) // was reserved for the dead taker
      assert.strictEqual(yield* queue.size, 1)
      assert.strictEqual(yield* defect(queue.takeFor(malformed)), defectMessage("takeFor")) // takes nothing
      assert.deepStrictEqual(yield* queue.poll, Option.some(1))
      yield* queue.taskDone
      yield* queue.join
    }))

  it.effect("as an acquireRelease's acquire (uninterruptible), interrupted while it waits: None after its duration", () =>
    Effect.gen(function*() {
      const queue = yield* make()
      let acquired: Option.Option<Option.Option<number>> = Option.none()
      const job = Effect.scoped(Effect.acquireRelease(
        Effect.tap(queue.takeFor("1 second"), (item) => Effect.sync(() => void (acquired = Option.some(item)))),
        (item) => Option.isSome(item) ? Effect.orDie(queue.put(item.value)) : Effect.void
      ))
      const fiber = yield* Effect.forkChild(job)
      yield* Leaks.settle
      yield* Effect.forkDetach(Fiber.interrupt(fiber))
      yield* TestClock.adjust("999 millis")
      assert.isUndefined(fiber.pollUnsafe()) // an acquire is not interrupted: it waits out its duration
      yield* TestClock.adjust("1 millis")
      yield* Leaks.settle
      const timedOut = fiber.pollUnsafe() !== undefined // its timer was not killed with its fiber
      if (!timedOut) yield* queue.put(-1) // lets it end, so the test fails instead of hanging
      assert.isTrue(timedOut)
      assert.isTrue(isInterrupted(yield* Fiber.await(fiber)))
      assert.deepStrictEqual(acquired, Option.some(Option.none()))
      yield* queue.put(1) // not reserved for the taker that left
      assert.deepStrictEqual(yield* queue.poll, Option.some(1))
    }))
})

describe("JoinableQueue.putFor", () => {
  it.effect("a malformed duration dies naming it before the putter joins the line: no slot kept for ever", () =>
    Effect.gen(function*() {
      const queue = yield* make(1)
      assert.strictEqual(yield* defect(queue.putFor(malformed, 1)), defectMessage("putFor")) // adds nothing
      assert.strictEqual(yield* queue.size, 0)
      yield* queue.put(1)
      assert.strictEqual(yield* defect(queue.putFor(malformed, 2)), defectMessage("putFor"))
      assert.strictEqual(yield* queue.take, 1)
      assert.isTrue(yield* queue.tryPut(3)) // the slot is free: not kept for a dead putter
      assert.strictEqual(yield* queue.unfinishedTasks, 2)
    }))

  it.effect("true at once when there is room; false once the time runs out, the item not added", () =>
    Effect.gen(function*() {
      const queue = yield* make(1)
      assert.isTrue(yield* queue.putFor("1 second", 1))
      const waiter = yield* Effect.forkChild(queue.putFor("1 second", 2))
      yield* TestClock.adjust("999 millis")
      assert.isUndefined(waiter.pollUnsafe())
      yield* TestClock.adjust("1 millis")
      assert.isFalse(yield* Fiber.join(waiter))
      assert.strictEqual(yield* queue.unfinishedTasks, 1) // only the item put
      assert.strictEqual(yield* queue.take, 1)
      assert.isTrue(yield* queue.putFor(0, 3)) // the slot is not reserved for the putter that left
      assert.strictEqual(yield* queue.take, 3)
    }))

  it.effect("true when room frees up in time: the item is in the queue", () =>
    Effect.gen(function*() {
      const queue = yield* make(1)
      yield* queue.put(1)
      const waiter = yield* Effect.forkChild(queue.putFor("1 second", 2))
      yield* TestClock.adjust("500 millis")
      assert.strictEqual(yield* queue.take, 1)
      assert.isTrue(yield* Fiber.join(waiter))
      assert.strictEqual(yield* queue.take, 2)
    }))

  it.effect("a take and the deadline on the same instant: the answer says whether the item is in", () =>
    Effect.gen(function*() {
      for (const takeFirst of [true, false]) {
        const queue = yield* make(1)
        yield* queue.put(1)
        const take = Effect.andThen(Effect.sleep("1 second"), queue.take)
        const taker = takeFirst ? yield* Effect.forkChild(take) : undefined
        yield* Leaks.settle
        const putter = yield* Effect.forkChild(queue.putFor("1 second", 2))
        yield* Leaks.settle
        const late = takeFirst ? undefined : yield* Effect.forkChild(take)
        yield* TestClock.adjust("1 second")
        assert.strictEqual(yield* Fiber.join(taker ?? late!), 1)
        const added = yield* Fiber.join(putter)
        assert.strictEqual(yield* queue.size, added ? 1 : 0, `takeFirst: ${takeFirst}`)
        assert.strictEqual(yield* queue.unfinishedTasks, added ? 2 : 1)
      }
    }))

  it.effect("interrupted while it waits, even right after a slot was reserved for it: no item left behind", () =>
    Effect.gen(function*() {
      const queue = yield* make(1)
      yield* queue.put(1)
      const waiting = yield* Effect.forkChild(queue.putFor("1 second", 2))
      yield* Leaks.settle
      yield* Fiber.interrupt(waiting)
      const served = yield* Effect.forkChild(wokenLate(queue.putFor("1 second", 3)))
      yield* Leaks.settle
      yield* Effect.withFiber((self) => Effect.andThen(queue.take, Effect.sync(() => served.interruptUnsafe(self.id))))
      assert.isTrue(isInterrupted(yield* Fiber.await(served)))
      assert.strictEqual(yield* queue.size, 0)
      assert.strictEqual(yield* queue.unfinishedTasks, 1)
      assert.isTrue(yield* queue.putFor(0, 4)) // the slot it was given is free again
    }))

  it.effect("fails QueueShutDown as put does", () =>
    Effect.gen(function*() {
      const queue = yield* make(1)
      yield* queue.put(1)
      const waiter = yield* Effect.forkChild(queue.putFor("1 second", 2))
      yield* Leaks.settle
      yield* queue.shutdown()
      assert.strictEqual((yield* Effect.flip(Fiber.join(waiter)))._tag, "QueueShutDown")
      assert.strictEqual((yield* Effect.flip(queue.putFor("1 second", 3)))._tag, "QueueShutDown")
    }))
})

describe("Interleavings: timed forms", () => {
  it.effect("takeFor and putFor against a deadline in the same tick, under every schedule: nothing lost or added twice", () =>
    Interleavings.explore(
      Effect.gen(function*() {
        const queue = yield* Effect.orDie(make(1))
        yield* queue.put(0)
        const putter = yield* Effect.forkChild(queue.putFor("10 millis", 1))
        const taker = yield* Effect.forkChild(Effect.andThen(Effect.sleep("10 millis"), queue.takeFor("10 millis")))
        const late = yield* Effect.forkChild(Effect.andThen(Effect.sleep("20 millis"), queue.takeFor(0)))
        const added = yield* Fiber.join(putter)
        const taken = [yield* Fiber.join(taker), yield* Fiber.join(late)].filter(Option.isSome).length
        assert.strictEqual(1 + (added ? 1 : 0), taken + (yield* queue.size))
        assert.strictEqual(yield* queue.unfinishedTasks, added ? 2 : 1)
      }),
      { schedules: 200 }
    ))
})

import { assert, describe, it } from "@effect/vitest"
import { Interleavings } from "@fiberkit/testkit"
import { Clock, Deferred, Effect, Exit, Fiber } from "effect"

/** Two fibers increment a counter, each increment in two ops (read, then write): an update can be lost. */
const counter = (atomic: boolean) =>
  Effect.gen(function*() {
    let value = 0
    const increment = atomic
      ? Effect.sync(() => {
        value++
      })
      : Effect.flatMap(Effect.sync(() => value), (read) =>
        Effect.sync(() => {
          value = read + 1
        }))
    // eight increments each, in one run (`repeatN` would yield between them): past the first ops
    // of a run, where the runtime may switch a fiber out
    const eight = Effect.forEach(Array.from({ length: 8 }), () => increment, { discard: true })
    const a = yield* Interleavings.fork(eight)
    const b = yield* Interleavings.fork(eight)
    yield* Fiber.await(a)
    yield* Fiber.await(b)
    if (value !== 16) return yield* Effect.die(new Error(`lost an update: ${value}`))
  })

/**
 * A taker that joins the line in one op and registers its fiber in a later one. If the
 * registration looks only for a grant (the bug once found in JoinableQueue), a close that lands in
 * between strands it; if it checks any outcome, it is correct.
 */
const mailbox = (checksAnyOutcome: boolean) =>
  Effect.gen(function*() {
    type Waiter = { state: "waiting" | "granted" | "closed"; resume?: (e: Effect.Effect<void, string>) => void }
    const line: Array<Waiter> = []
    let closed = false
    const take = Effect.suspend(() => {
      if (closed) return Effect.fail("closed")
      const waiter: Waiter = { state: "waiting" }
      line.push(waiter)
      return Effect.callback<void, string>((resume) => {
        if (waiter.state === "granted") resume(Effect.void)
        else if (checksAnyOutcome && waiter.state === "closed") resume(Effect.fail("closed"))
        else waiter.resume = resume
      })
    })
    const close = Effect.sync(() => {
      closed = true
      for (const waiter of line) {
        waiter.state = "closed"
        waiter.resume?.(Effect.fail("closed"))
      }
    })
    const taker = yield* Interleavings.fork(take)
    // the close may land before any op of the taker, the first ones of its run included
    const closing = yield* Interleavings.race(close)
    yield* closing
    const exit = yield* Fiber.await(taker)
    assert.isTrue(Exit.isFailure(exit))
  })

describe("Interleavings", () => {
  it.effect("finds an update lost between two ops, and passes the atomic version", () =>
    Effect.gen(function*() {
      const failure = yield* Effect.flip(Interleavings.explore(counter(false), { seed: 7, schedules: 500 }))
      assert.strictEqual(failure.kind, "failed")
      assert.include(failure.detail, "lost an update")
      const report = yield* Interleavings.explore(counter(true), { seed: 7, schedules: 300 })
      assert.strictEqual(report.schedules, 300)
      assert.isAbove(report.steps, 0)
      // dual: the same exploration, piped
      const piped = yield* counter(true).pipe(Interleavings.explore({ seed: 7, schedules: 300 }))
      assert.deepStrictEqual(piped, report)
    }))

  it.effect("a waiter registered a step after it joined the line deadlocks under some schedule; checking any outcome fixes it", () =>
    Effect.gen(function*() {
      const failure = yield* Effect.flip(Interleavings.explore(mailbox(false), { seed: 11, schedules: 500 }))
      assert.strictEqual(failure.kind, "deadlock")
      yield* Interleavings.explore(mailbox(true), { seed: 11, schedules: 500 })
    }))

  it.effect("every strategy alone finds the lost update", () =>
    Effect.forEach(["random", "pct", "bounded"] as const, (strategy) =>
      Effect.gen(function*() {
        const failure = yield* Effect.flip(
          Interleavings.explore(counter(false), { seed: 3, schedules: 1000, strategies: [strategy] })
        )
        assert.strictEqual(failure.strategy, strategy)
      })))

  it.effect("a replay token runs the same schedule again, with the same decisions", () =>
    Effect.gen(function*() {
      const first = yield* Effect.flip(Interleavings.explore(mailbox(false), { seed: 5, schedules: 500 }))
      const again = yield* Effect.flip(Interleavings.explore(mailbox(false), { replay: first.replay }))
      assert.strictEqual(again.kind, first.kind)
      assert.deepStrictEqual(again.trace, first.trace)
      assert.strictEqual(again.steps, first.steps)
      assert.include(first.message, first.replay)
    }))

  it.effect("the same seed runs the same schedules", () =>
    Effect.gen(function*() {
      const a = yield* Interleavings.explore(counter(true), { seed: 42, schedules: 50 })
      const b = yield* Interleavings.explore(counter(true), { seed: 42, schedules: 50 })
      assert.deepStrictEqual(a, b)
    }))

  it.effect("two fibers waiting on each other are a deadlock, not a hung test", () =>
    Effect.gen(function*() {
      const failure = yield* Effect.flip(Interleavings.explore(
        Effect.gen(function*() {
          const a = yield* Deferred.make<void>()
          const b = yield* Deferred.make<void>()
          const left = yield* Effect.forkChild(Effect.andThen(Deferred.await(a), Deferred.succeed(b, undefined)))
          const right = yield* Effect.forkChild(Effect.andThen(Deferred.await(b), Deferred.succeed(a, undefined)))
          yield* Fiber.join(left)
          yield* Fiber.join(right)
        }),
        { schedules: 3 }
      ))
      assert.strictEqual(failure.kind, "deadlock")
      assert.strictEqual(failure.schedule, 1)
    }))

  it.effect("a program that never ends is a livelock", () =>
    Effect.gen(function*() {
      const spin = yield* Effect.flip(Interleavings.explore(Effect.forever(Effect.yieldNow), { maxSteps: 5_000 }))
      assert.strictEqual(spin.kind, "livelock")
      const tick = yield* Effect.flip(
        Interleavings.explore(Effect.forever(Effect.sleep("1 minute")), { timeLimit: "1 hour" })
      )
      assert.strictEqual(tick.kind, "livelock")
      assert.include(tick.detail, "virtual time")
    }))

  it.effect("time is virtual: it moves only when every fiber waits, to the next wake-up", () =>
    Effect.gen(function*() {
      yield* Interleavings.explore(
        Effect.gen(function*() {
          const start = yield* Clock.currentTimeMillis
          const slow = yield* Effect.forkChild(Effect.sleep("10 seconds"))
          yield* Effect.sleep("3 seconds")
          assert.strictEqual((yield* Clock.currentTimeMillis) - start, 3000)
          yield* Fiber.join(slow)
          assert.strictEqual((yield* Clock.currentTimeMillis) - start, 10000)
          const timedOut = yield* Effect.timeout(Effect.never, "5 seconds").pipe(Effect.exit)
          assert.isTrue(Exit.isFailure(timedOut))
        }),
        { schedules: 30 }
      )
      // the test's own TestClock was not moved
      assert.strictEqual(yield* Clock.currentTimeMillis, 0)
    }))

  it.effect("a racing action fires once per schedule, before a random op; outside an exploration at once", () =>
    Effect.gen(function*() {
      const seenAt: Array<number> = []
      yield* Interleavings.explore(
        Effect.gen(function*() {
          let ops = 0
          const fired = yield* Interleavings.race(Effect.sync(() => seenAt.push(ops)))
          yield* Effect.forEach([1, 2, 3, 4, 5, 6], () => Effect.sync(() => ops++))
          yield* fired
        }),
        { schedules: 60, seed: 4 }
      )
      assert.strictEqual(seenAt.length, 60)
      assert.isAbove(new Set(seenAt).size, 3) // it lands at many different points
      let now = false
      const fired = yield* Interleavings.race(Effect.sync(() => (now = true)))
      assert.isTrue(now)
      yield* fired
    }))

  it.effect("tasks run first in, first out: a child a fiber starts runs before that fiber's next turn", () =>
    Effect.gen(function*() {
      yield* Interleavings.explore(
        Effect.gen(function*() {
          const order: Array<string> = []
          const child = yield* Effect.forkChild(Effect.sync(() => order.push("child")))
          yield* Effect.yieldNow
          order.push("parent")
          yield* Fiber.join(child)
          assert.deepStrictEqual(order, ["child", "parent"])
        }),
        { schedules: 100, minRun: 0 }
      )
    }))

  it.effect("interrupts a forked fiber before a random op, in some schedules", () =>
    Effect.gen(function*() {
      const report = yield* Interleavings.explore(
        Effect.gen(function*() {
          const actor = yield* Interleavings.fork(Effect.forEach([1, 2, 3, 4], () => Effect.yieldNow))
          yield* Fiber.await(actor)
        }),
        { interrupts: true, schedules: 100, seed: 1 }
      )
      assert.isAbove(report.interruptions, 10)
      assert.isBelow(report.interruptions, 100)
    }))

  // Regression (outside review of the Effect 4 port): the token held the seed and the estimates
  // only, so a failure found with `interrupts: true` and replayed as printed interrupted nobody
  // and passed. The token now carries the plan's options too.
  it.effect("a replay token run as printed reproduces a failure found with interrupts", () =>
    Effect.gen(function*() {
      const scenario = Effect.gen(function*() {
        let done = false
        const actor = yield* Interleavings.fork(Effect.andThen(Effect.yieldNow, Effect.sync(() => (done = true))))
        yield* Fiber.await(actor)
        if (!done) return yield* Effect.die(new Error("the actor was interrupted"))
      })
      const failure = yield* Effect.flip(Interleavings.explore(scenario, { seed: 1, interrupts: true }))
      assert.include(failure.message, `replay it with { replay: "${failure.replay}" }`)
      const replayed = yield* Effect.flip(Interleavings.explore(scenario, { replay: failure.replay }))
      assert.strictEqual(replayed.detail, failure.detail)
      assert.deepStrictEqual(replayed.trace, failure.trace)
    }))
})

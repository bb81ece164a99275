import { assert, describe, it } from "@effect/vitest"
import { Effect, Fiber } from "effect"
import { spawnSync } from "node:child_process"
import { fileURLToPath } from "node:url"
import * as Lock from "../src/Lock.js"
import * as Semaphore from "../src/Semaphore.js"

// On Effect's default scheduler a woken waiter resumes in a microtask (internal/wake.ts). These
// pin what that must keep: the order of hand-offs, and the event loop's turn.
describe("waking waiters", () => {
  it.live("fibers that only hand a lock back and forth still let timers fire", () =>
    Effect.gen(function*() {
      const lock = yield* Lock.make()
      const rounds = 50_000
      let handOffs = 0
      let handOffsWhenTimerFired = -1
      // no yield anywhere (`Effect.forever` would yield each round): each release hands the
      // lock to the other fiber, which it wakes. Once they hand it on, a timer is set: it fires
      // only when the hand-offs give the event loop a turn
      const handOn = Effect.sync(() => {
        if (++handOffs === 10_000) {
          setTimeout(() => {
            handOffsWhenTimerFired = handOffs
          }, 0)
        }
      })
      const pingPong = Effect.gen(function*() {
        for (let i = 0; i < rounds; i++) yield* lock.withLock(handOn)
      })
      yield* Effect.all([pingPong, pingPong], { concurrency: "unbounded", discard: true })
      assert.strictEqual(handOffs, 2 * rounds)
      // the timer fired a few thousand hand-offs after it was set (with no budget inside a
      // drain, only once the 100,000 were over)
      assert.isAtLeast(handOffsWhenTimerFired, 10_000)
      assert.isBelow(handOffsWhenTimerFired, rounds)
    }), 30_000)

  it.live("waiters woken in one step run in the order they were woken", () =>
    Effect.gen(function*() {
      const semaphore = yield* Semaphore.make(0)
      const order: Array<number> = []
      const fibers = []
      for (let i = 0; i < 50; i++) {
        fibers.push(yield* Effect.forkChild(semaphore.withPermits(1)(Effect.sync(() => void order.push(i)))))
      }
      yield* Effect.yieldNow
      yield* semaphore.release(50)
      yield* Fiber.joinAll(fibers)
      assert.deepStrictEqual(order, Array.from({ length: 50 }, (_, i) => i))
    }))

  it.live("interruptions racing microtask wakes leak no permit and never let more than N in", () =>
    Effect.gen(function*() {
      // a small linear congruential generator: the same schedule of interruptions every run
      let seed = 7
      const random = (n: number) => (seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648) % n
      for (let round = 0; round < 20; round++) {
        const semaphore = yield* Semaphore.make(3)
        let inside = 0
        let most = 0
        const body = Effect.suspend(() => {
          most = Math.max(most, ++inside)
          return Effect.ensuring(Effect.promise(() => Promise.resolve()), Effect.sync(() => void inside--))
        })
        const fibers = []
        for (let i = 0; i < 60; i++) fibers.push(yield* Effect.forkChild(semaphore.withPermits(1)(body)))
        // interrupt a third of them, each after a few microtasks: before, during or after its wake
        for (let i = 0; i < 20; i++) {
          for (let k = random(4); k > 0; k--) yield* Effect.promise(() => Promise.resolve())
          yield* Fiber.interrupt(fibers[random(fibers.length)]!)
        }
        yield* Fiber.awaitAll(fibers)
        assert.isAtMost(most, 3)
        assert.strictEqual(yield* semaphore.available, 3)
        assert.strictEqual(yield* semaphore.waiting, 0)
      }
    }))
})

describe("an exception thrown out of a woken fiber's run", () => {
  // A fiber resumed inside the shared drain ends there; Effect runs its exit observers inline.
  // One that throws once left the drain marked scheduled with the rest of its queue stranded: no
  // microtask wake ran again in the process (found by review; the second test failed before).
  // The first test runs the same through the yield path (a scheduler task per wake).
  const run = (wrapScheduler: boolean) => {
    const lockUrl = new URL("../src/Lock.ts", import.meta.url).href
    const script = `
      import * as Lock from ${JSON.stringify(lockUrl)}
      import { Deferred, Effect, Scheduler } from "effect"
      process.on("uncaughtException", (e) => console.log("uncaught:", e.message))
      // WRAP: the same MixedScheduler behind a plain object (not instanceof MixedScheduler), so
      // wakes take the yieldNow path, as every wake did before this change
      const mixed = new Scheduler.MixedScheduler()
      const wrapped = { executionMode: "async", shouldYield: (f) => mixed.shouldYield(f), makeDispatcher: () => mixed.makeDispatcher() }
      const on = (eff) => ${wrapScheduler} ? Effect.provideService(eff, Scheduler.Scheduler, wrapped) : eff
      const tick = () => new Promise((r) => setImmediate(r))
      const handOff = async (label, observe) => {
        const lock = await Effect.runPromise(Lock.make())
        const gate = await Effect.runPromise(Deferred.make())
        Effect.runFork(on(lock.withLock(Deferred.await(gate))))
        await tick()
        const waiter = Effect.runFork(on(lock.withLock(Effect.succeed(label))))
        if (observe) waiter.addObserver(observe)
        const done = new Promise((r) => waiter.addObserver((e) => r(e.value)))
        await tick()
        await Effect.runPromise(Deferred.succeed(gate, undefined))
        return Promise.race([done, new Promise((r) => setTimeout(() => r("STUCK"), 1000))])
      }
      await handOff("first", () => { throw new Error("observer bug") })
      // a fresh, unrelated lock: a plain hand-off
      console.log("second:", await handOff("second"))
      process.exit(0)
    `
    const cwd = fileURLToPath(new URL("..", import.meta.url))
    const out = spawnSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], {
      cwd,
      encoding: "utf8",
      timeout: 30_000
    })
    return out.stdout + out.stderr
  }

  it("on a scheduler of its own (a yield per wake): later hand-offs still work", () => {
    const text = run(true)
    assert.include(text, "uncaught: observer bug", text)
    assert.include(text, "second: second", text)
  }, 60_000)

  it("on the default scheduler (microtask wakes): later hand-offs still work", () => {
    const text = run(false)
    assert.include(text, "uncaught: observer bug", text)
    assert.include(text, "second: second", text)
  }, 60_000)
})

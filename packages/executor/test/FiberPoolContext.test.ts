// From an independent review (all held): FiberPool jobs carry their caller's context (fiber.setContext), idle
// workers yield once
// before retiring, per-worker cancel interruptor, settled `result` is the stored Exit, lazy
// callbacks/observers. Runs on Effect's default scheduler (it.live).
import { assert, describe, it } from "@effect/vitest"
import { Context, Deferred, Effect, Exit, Fiber, References, Tracer } from "effect"
import * as FiberPool from "../src/FiberPool.js"

class Who extends Context.Service<Who, string>()("test/Who") {}

const observe = Effect.gen(function*() {
  const who = yield* Effect.serviceOption(Who)
  const ann = yield* References.CurrentLogAnnotations
  const span = yield* Effect.option(Effect.currentSpan)
  return {
    who: who._tag === "Some" ? who.value : "none",
    req: String(ann["req"] ?? "none"),
    span: span._tag === "Some" ? span.value.name : "none"
  }
})

// reads its context, lets others run, reads it again
const task = Effect.gen(function*() {
  const before = yield* observe
  yield* Effect.yieldNow
  yield* Effect.sleep(1)
  const after = yield* observe
  return [before, after] as const
})

const asCaller = (name: string) => <A, E, R>(eff: Effect.Effect<A, E, R>) =>
  eff.pipe(
    Effect.provideService(Who, name),
    Effect.annotateLogs("req", name),
    Effect.withSpan(`span-${name}`)
  )

describe("a FiberPool task sees its submitter's context, never another's or the pool's", () => {
  for (const concurrency of [1, 2, 3]) {
    it.live(`concurrency ${concurrency}: 60 submitters interleaved`, () =>
      Effect.scoped(Effect.gen(function*() {
        const pool = yield* FiberPool.make({ concurrency })
        const submitters = Array.from({ length: 60 }, (_, i) =>
          asCaller(`c${i}`)(Effect.gen(function*() {
            if (i % 3 === 0) yield* Effect.yieldNow
            const f = yield* pool.submit(task)
            return [`c${i}`, yield* f.result] as const
          })))
        // and some tasks submitted with no caller settings at all: they must see "none"
        const plain = Array.from({ length: 10 }, () =>
          Effect.flatMap(pool.submit(task), (f) => Effect.map(f.result, (r) => ["none", r] as const)))
        const results = yield* Effect.all([...submitters, ...plain], { concurrency: "unbounded" })
        for (const [name, [before, after]] of results) {
          const expected = { who: name, req: name, span: name === "none" ? "none" : `span-${name}` }
          assert.deepStrictEqual(before, expected)
          assert.deepStrictEqual(after, expected)
        }
      })), 30_000)
  }

  it.live("a task that was cancelled mid-run, and one that overrode a service, leak into no later task", () =>
    Effect.scoped(Effect.gen(function*() {
      const pool = yield* FiberPool.make({ concurrency: 1 })
      const started = yield* Deferred.make<void>()
      const a = yield* asCaller("A")(pool.submit(Effect.andThen(Deferred.succeed(started, undefined), Effect.never)))
      const b = yield* asCaller("B")(pool.submit(
        Effect.provideService(Effect.andThen(Effect.yieldNow, observe), Who, "inner")
      ))
      const c = yield* pool.submit(observe)
      yield* Deferred.await(started)
      assert.isTrue(yield* a.cancel)
      assert.deepStrictEqual((yield* b.result).who, "inner")
      assert.deepStrictEqual(yield* c.result, { who: "none", req: "none", span: "none" })
    })))

  it.live("a task's onDone callbacks and the next task: the callback does not run with the task's context", () =>
    Effect.scoped(Effect.gen(function*() {
      // the callback is registered by a plain caller; it records what it sees
      const pool = yield* FiberPool.make({ concurrency: 1 })
      const seen: Array<unknown> = []
      const gate = yield* Deferred.make<void>()
      const f = yield* asCaller("A")(pool.submit(Deferred.await(gate)))
      yield* f.onDone(() => Effect.map(observe, (o) => void seen.push(o)))
      yield* Deferred.succeed(gate, undefined)
      yield* f.result
      yield* Effect.sleep(10)
      assert.strictEqual(seen.length, 1)
      // informational: callbacks run in a fiber of the pool
      assert.deepStrictEqual(seen[0], { who: "none", req: "none", span: "none" })
    })))
})

describe("futures", () => {
  it.live("onDone runs each callback exactly once; unsubscribe before settlement stops it; after, is a no-op", () =>
    Effect.scoped(Effect.gen(function*() {
      const pool = yield* FiberPool.make({ concurrency: 2 })
      const gate = yield* Deferred.make<void>()
      const f = yield* pool.submit(Effect.as(Deferred.await(gate), 7))
      const calls: Array<string> = []
      const un1 = yield* f.onDone(() => Effect.sync(() => void calls.push("one")))
      const un2 = yield* f.onDone(() => Effect.sync(() => void calls.push("two")))
      const un3 = yield* f.onDone(() =>
        Effect.andThen(
          Effect.sync(() => void calls.push("three")),
          // registering from inside a callback: runs once, at once
          Effect.flatten(f.onDone(() => Effect.sync(() => void calls.push("inner"))))
        )
      )
      yield* un2
      yield* Deferred.succeed(gate, undefined)
      assert.strictEqual(yield* f.result, 7)
      yield* Effect.sleep(10)
      yield* un1
      yield* un3
      const late = yield* f.onDone(() => Effect.sync(() => void calls.push("late")))
      yield* late
      yield* Effect.sleep(10)
      assert.deepStrictEqual([...calls].sort(), ["inner", "late", "one", "three"])
    })))

  it.live("cancel answers truthfully: running → true (and result FutureCancelled), done → false, repeatable reads", () =>
    Effect.scoped(Effect.gen(function*() {
      const pool = yield* FiberPool.make({ concurrency: 1 })
      const started = yield* Deferred.make<void>()
      const running = yield* pool.submit(Effect.andThen(Deferred.succeed(started, undefined), Effect.never))
      const queued = yield* pool.submit(Effect.succeed("q"))
      yield* Deferred.await(started)
      assert.isTrue(yield* running.cancel)
      assert.isTrue(yield* running.cancel)
      const r1 = yield* Effect.exit(running.result)
      const r2 = yield* Effect.exit(running.result)
      assert.isTrue(Exit.isFailure(r1) && Exit.isFailure(r2))
      assert.strictEqual(yield* queued.result, "q")
      assert.isFalse(yield* queued.cancel)
      assert.strictEqual(yield* queued.result, "q")
      assert.isTrue(yield* running.isCancelled)
      assert.isFalse(yield* queued.isCancelled)
    })))

  it.live(
    "cancel of a task that finishes in the same step as the cancel (from the task's own observer) is false",
    () =>
      Effect.scoped(Effect.gen(function*() {
        const pool = yield* FiberPool.make({ concurrency: 1 })
        const results: Array<boolean> = []
        for (let i = 0; i < 50; i++) {
          const gate = yield* Deferred.make<void>()
          const f = yield* pool.submit(Effect.as(Deferred.await(gate), i))
          const next = yield* pool.submit(Effect.as(Effect.sleep(1), "next"))
          // a watcher cancels f as soon as it sees f done: must be false, and must not hit `next`
          const watcher = yield* Effect.forkChild(Effect.andThen(f.await, f.cancel))
          yield* Effect.yieldNow
          yield* Deferred.succeed(gate, undefined)
          results.push(yield* Fiber.join(watcher))
          assert.strictEqual(yield* next.result, "next")
        }
        assert.isTrue(results.every((r) => r === false))
      })),
    30_000
  )

  it.live(
    "idle workers retire: bursts across ticks never exceed the concurrency, and the pool keeps working",
    () =>
      Effect.scoped(Effect.gen(function*() {
        const pool = yield* FiberPool.make({ concurrency: 3 })
        let inside = 0
        let most = 0
        const body = Effect.suspend(() => {
          most = Math.max(most, ++inside)
          return Effect.ensuring(Effect.yieldNow, Effect.sync(() => void inside--))
        })
        for (let round = 0; round < 30; round++) {
          const futures = []
          for (let i = 0; i < 10; i++) {
            futures.push(yield* pool.submit(body))
            if (i % 4 === 0) yield* Effect.yieldNow
          }
          for (const f of futures) yield* f.result
          if (round % 5 === 0) yield* Effect.sleep(5)
        }
        assert.isAtMost(most, 3)
        assert.strictEqual(yield* pool.running, 0)
        assert.strictEqual(yield* pool.pending, 0)
      })),
    30_000
  )
})

// keep the Tracer import used (span names come through Effect.currentSpan)
void Tracer

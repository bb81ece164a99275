import { assert, describe, it } from "@effect/vitest"
import { Interleavings } from "@fiberkit/testkit"
import { Clock, Effect, Exit, Fiber } from "effect"
import * as ConcurrencyLimiter from "../src/ConcurrencyLimiter.js"
import * as KeyedConcurrencyLimiter from "../src/KeyedConcurrencyLimiter.js"
import * as RateLimiter from "../src/RateLimiter.js"
import { assertAllowed, type Start } from "./guarantees.js"

const options = { schedules: 300, interrupts: true } as const

describe("limits under the schedule explorer", () => {
  it.effect("ConcurrencyLimiter: dropOldest + resize + priorities + interruptions — bound held, nothing leaked", () =>
    Interleavings.explore(
      Effect.gen(function*() {
        const limit = yield* Effect.orDie(
          ConcurrencyLimiter.make({ concurrency: 2, maxPending: 2, onFull: "dropOldest" })
        )
        let inside = 0
        let bound = 2
        const over: Array<string> = []
        const body = Effect.acquireUseRelease(
          Effect.sync(() => {
            inside++
            if (inside > bound) over.push(`inside ${inside} > bound ${bound}`)
          }),
          () => Effect.sleep(3),
          () => Effect.sync(() => void inside--)
        )
        const fibers = yield* Effect.forEach(
          [0, 3, 1, 0, 2, 5],
          (p) => Interleavings.fork(Effect.exit(limit.withPriority(p)(body)))
        )
        const resizer = yield* Interleavings.fork(
          Effect.andThen(Effect.sleep(1), Effect.andThen(Effect.sync(() => void (bound = 3)), limit.resize(3)))
        )
        const shrink = yield* Interleavings.fork(
          Effect.andThen(Effect.sleep(2), limit.resize(1))
        )
        for (const f of [...fibers, resizer, shrink] as Array<Fiber.Fiber<unknown, unknown>>) yield* Fiber.await(f)
        yield* limit.awaitIdle
        assert.strictEqual(yield* limit.inside, 0)
        assert.strictEqual(yield* limit.waiting, 0)
        assert.strictEqual(inside, 0)
        assert.deepStrictEqual(over, [])
      }),
      options
    ))

  it.effect("KeyedConcurrencyLimiter with global: per key and global bounds, keys forgotten, counts back to 0", () =>
    Interleavings.explore(
      Effect.gen(function*() {
        const limit = yield* Effect.orDie(KeyedConcurrencyLimiter.make<string>({ perKey: 1, global: 2 }))
        const perKey = new Map<string, number>()
        let all = 0
        const body = (key: string) =>
          Effect.andThen(
            Effect.sync(() => {
              const n = (perKey.get(key) ?? 0) + 1
              perKey.set(key, n)
              all++
              if (n > 2 || all > 3) throw new Error(`over: ${key}=${n}, all=${all}`)
            }),
            Effect.ensuring(
              Effect.sleep(2),
              Effect.sync(() => {
                perKey.set(key, perKey.get(key)! - 1)
                all--
              })
            )
          )
        const fibers = yield* Effect.forEach(
          ["a", "a", "b", "c", "a", "b"],
          (k) => Interleavings.fork(Effect.exit(limit(k)(body(k))))
        )
        const resizer = yield* Interleavings.fork(
          Effect.andThen(Effect.sleep(1), limit.resize({ perKey: 2, global: 3 }))
        )
        for (const f of [...fibers, resizer] as Array<Fiber.Fiber<unknown, unknown>>) yield* Fiber.await(f)
        assert.strictEqual(yield* limit.keys, 0)
        assert.strictEqual(yield* limit.insideAll, 0)
        for (const k of ["a", "b", "c"]) {
          assert.strictEqual(yield* limit.inside(k), 0)
          assert.strictEqual(yield* limit.waiting(k), 0)
        }
      }),
      options
    ))

  it.effect("KeyedConcurrencyLimiter: priorities with aging + interruptions — bounds held, counts back to 0, keys forgotten", () =>
    Interleavings.explore(
      Effect.gen(function*() {
        const limit = yield* Effect.orDie(
          KeyedConcurrencyLimiter.make<string>({ perKey: 1, global: 2, aging: "1 millis" })
        )
        const perKey = new Map<string, number>()
        let all = 0
        const over: Array<string> = []
        const body = (key: string) =>
          Effect.acquireUseRelease(
            Effect.sync(() => {
              const n = (perKey.get(key) ?? 0) + 1
              perKey.set(key, n)
              all++
              if (n > 1 || all > 2) over.push(`${key}=${n}, all=${all}`)
            }),
            () => Effect.sleep(2),
            () =>
              Effect.sync(() => {
                perKey.set(key, perKey.get(key)! - 1)
                all--
              })
          )
        const fibers = yield* Effect.forEach(
          [["a", 0], ["a", 3], ["b", 1], ["c", 5], ["a", 2], ["b", 0]] as const,
          ([key, priority]) => Interleavings.fork(limit.withPriority(key, priority)(body(key)))
        )
        yield* Effect.forEach(fibers, Fiber.await)
        assert.deepStrictEqual(over, [])
        assert.deepStrictEqual([yield* limit.keys, yield* limit.insideAll, all], [0, 0, 0])
        for (const k of ["a", "b", "c"]) assert.strictEqual(yield* limit.waiting(k), 0)
      }),
      options
    ))

  it.effect("KeyedConcurrencyLimiter: maxPending over all keys + dropOldest + priorities + interruptions — bounds held, shed ones ran nothing", () =>
    Interleavings.explore(
      Effect.gen(function*() {
        const limit = yield* Effect.orDie(
          KeyedConcurrencyLimiter.make<string>({ perKey: 1, global: 2, maxPending: 2, onFull: "dropOldest" })
        )
        const ran = new Set<number>()
        let all = 0
        const over: Array<string> = []
        const body = (i: number) =>
          Effect.acquireUseRelease(
            Effect.sync(() => {
              ran.add(i)
              if (++all > 2) over.push(`all=${all}`)
            }),
            () => Effect.andThen(Effect.sleep(2), limit.waitingAll),
            () => Effect.sync(() => void all--)
          )
        const uses = [["a", 0], ["a", 3], ["b", 1], ["c", 5], ["a", 2], ["b", 0]] as const
        const fibers = yield* Effect.forEach(
          uses,
          ([key, priority], i) => Interleavings.fork(Effect.exit(limit.withPriority(key, priority)(body(i))))
        )
        for (const [i, fiber] of fibers.entries()) {
          const exit = yield* Fiber.await(fiber)
          if (Exit.isSuccess(exit) && Exit.isFailure(exit.value) && !Exit.hasInterrupts(exit.value) && ran.has(i)) {
            over.push(`#${i} shed but ran`)
          }
          if (Exit.isSuccess(exit) && Exit.isSuccess(exit.value) && exit.value.value > 2) {
            over.push(`${exit.value.value} waiting`)
          }
        }
        assert.deepStrictEqual(over, [])
        assert.deepStrictEqual([yield* limit.keys, yield* limit.insideAll, yield* limit.waitingAll, all], [0, 0, 0, 0])
      }),
      options
    ))

  it.effect("RateLimiter: dropOldest + priorities with aging + resize + interruptions — the guarantee holds, nothing granted twice or left waiting", () =>
    Interleavings.explore(
      Effect.gen(function*() {
        const limiter = yield* Effect.orDie(
          RateLimiter.make({ limit: 2, interval: 10, maxPending: 2, onFull: "dropOldest", aging: "2 millis" })
        )
        const starts: Array<Start> = []
        const fibers = yield* Effect.forEach(
          [0, 3, 1, 0, 2, 5],
          (priority) =>
            Interleavings.fork(
              limiter.withPriority(priority)(
                Effect.flatMap(Clock.currentTimeMillis, (at) => Effect.sync(() => void starts.push({ at, cost: 1 })))
              )
            )
        )
        const resizer = yield* Interleavings.fork(Effect.andThen(Effect.sleep(3), limiter.resize({ limit: 1 })))
        const exits = yield* Effect.forEach(fibers, Fiber.await)
        yield* Fiber.await(resizer)
        yield* limiter.awaitIdle
        // each request started, was dropped, or was interrupted
        for (const exit of exits) {
          if (Exit.isFailure(exit) && !Exit.hasInterrupts(exit)) {
            assert.isTrue(exit.cause.reasons.some((r) => r._tag === "Fail" && r.error._tag === "PendingLimitExceeded"))
          }
        }
        // the limit in force at each start was 2 or, later, 1: 2 is what no window may exceed
        assertAllowed({ ...limiter.options, limit: 2 }, 10, starts)
        const stats = yield* limiter.stats
        assert.strictEqual(stats.waiting, 0)
        // a request interrupted just after its start was granted still used its slot
        const interrupted = exits.filter((exit) => Exit.hasInterrupts(exit)).length
        assert.isAtLeast(stats.granted, starts.length)
        assert.isAtMost(stats.granted, starts.length + interrupted)
      }),
      options
    ))
})

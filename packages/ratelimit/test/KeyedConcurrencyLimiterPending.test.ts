/**
 * `maxPending` on KeyedConcurrencyLimiter: one bound over the waiters of every key, shedding with
 * `PendingLimitExceeded` as ConcurrencyLimiter does (`onFull: "fail"` or `"dropOldest"`).
 */
import { assert, describe, it } from "@effect/vitest"
import { Gen, TestTime } from "@fiberkit/testkit"
import { Deferred, Effect, Exit, Fiber } from "effect"
import * as KeyedConcurrencyLimiter from "../src/KeyedConcurrencyLimiter.js"

/** Forks `limit(key)` of an effect that records `name` when it runs, and lets it register. */
const enter = <X>(limit: KeyedConcurrencyLimiter.KeyedConcurrencyLimiter<string, X>, ran: Array<string>) =>
(
  name: string,
  key: string,
  body: Effect.Effect<void> = Effect.void
) =>
  Effect.tap(
    Effect.forkChild(limit(key)(Effect.andThen(Effect.sync(() => void ran.push(name)), body))),
    () => Effect.yieldNow
  )

const shedOf = <A, E>(exit: Exit.Exit<A, E>) => {
  if (!Exit.isFailure(exit)) return undefined
  const error = exit.cause.reasons.find((reason) => reason._tag === "Fail")?.error as
    | { _tag: string; dropped: boolean; pending: number; maxPending: number; source: string }
    | undefined
  return error?._tag === "PendingLimitExceeded" ? error : undefined
}

describe("KeyedConcurrencyLimiter maxPending", () => {
  it.effect("onFull fail: the newcomer is refused once maxPending wait over all keys; it runs nothing", () =>
    Effect.gen(function*() {
      const limit = yield* KeyedConcurrencyLimiter.make<string>({ perKey: 1, global: 1, maxPending: 2 })
      const gate = yield* Deferred.make<void>()
      const ran: Array<string> = []
      const run = enter(limit, ran)
      const holder = yield* run("z", "z", Deferred.await(gate))
      const waiters = [yield* run("a1", "a"), yield* run("b1", "b")]
      assert.strictEqual(yield* limit.waitingAll, 2)
      const refused = yield* Effect.exit(limit("c")(Effect.sync(() => void ran.push("c1"))))
      const error = shedOf(refused)
      assert.deepStrictEqual(
        [error?.source, error?.maxPending, error?.pending, error?.dropped],
        ["KeyedConcurrencyLimiter", 2, 2, false]
      )
      assert.deepStrictEqual([yield* limit.waiting("c"), yield* limit.keys], [0, 3])
      yield* Deferred.succeed(gate, undefined)
      yield* Fiber.joinAll([holder, ...waiters])
      assert.deepStrictEqual(ran, ["z", "a1", "b1"])
      assert.deepStrictEqual([yield* limit.keys, yield* limit.insideAll, yield* limit.waitingAll], [0, 0, 0])
    }))

  it.effect("onFull dropOldest: the longest waiter of any key is dropped for the newcomer", () =>
    Effect.gen(function*() {
      const limit = yield* KeyedConcurrencyLimiter.make<string>({
        perKey: 1,
        global: 1,
        maxPending: 2,
        onFull: "dropOldest"
      })
      const gate = yield* Deferred.make<void>()
      const ran: Array<string> = []
      const run = enter(limit, ran)
      const holder = yield* run("z", "z", Deferred.await(gate))
      const a1 = yield* run("a1", "a")
      const b1 = yield* run("b1", "b")
      const c1 = yield* run("c1", "c")
      const dropped = shedOf(yield* Fiber.await(a1))
      assert.deepStrictEqual([dropped?.dropped, dropped?.pending], [true, 2])
      assert.deepStrictEqual([yield* limit.waiting("a"), yield* limit.waitingAll], [0, 2])
      yield* Deferred.succeed(gate, undefined)
      yield* Fiber.joinAll([holder, b1, c1])
      assert.deepStrictEqual(ran, ["z", "b1", "c1"])
      assert.deepStrictEqual([yield* limit.keys, yield* limit.insideAll], [0, 0])
    }))

  it.effect("an effect that need not wait enters at a full bound, past the waiters of a full key", () =>
    Effect.gen(function*() {
      const limit = yield* KeyedConcurrencyLimiter.make<string>({ perKey: 1, global: 3, maxPending: 1 })
      const gate = yield* Deferred.make<void>()
      const ran: Array<string> = []
      const run = enter(limit, ran)
      const a1 = yield* run("a1", "a", Deferred.await(gate))
      const a2 = yield* run("a2", "a") // key a is full: waits, the bound is reached
      assert.strictEqual(yield* limit("b")(Effect.succeed("b1 at once")), "b1 at once")
      const refused = yield* Effect.exit(limit("a")(Effect.void))
      assert.strictEqual(shedOf(refused)?.dropped, false)
      const zero = yield* KeyedConcurrencyLimiter.make<string>({ perKey: 1, maxPending: 0 })
      assert.strictEqual(yield* zero("k")(Effect.succeed(1)), 1)
      yield* Deferred.succeed(gate, undefined)
      yield* Fiber.joinAll([a1, a2])
      assert.deepStrictEqual(ran, ["a1", "a2"])
    }))

  it.effect("a maxPending that is not an integer ≥ 0, or an unknown onFull, is InvalidOptions", () =>
    Effect.gen(function*() {
      for (const maxPending of [-1, 1.5, Number.NaN]) {
        const error = yield* Effect.flip(KeyedConcurrencyLimiter.make<string>({ perKey: 1, maxPending }))
        assert.deepStrictEqual([error._tag, error.field], ["InvalidOptions", "maxPending"])
      }
      const error = yield* Effect.flip(
        KeyedConcurrencyLimiter.make<string>({ perKey: 1, maxPending: 1, onFull: "newest" as "fail" })
      )
      assert.deepStrictEqual([error.field, error.operation], ["onFull", "KeyedConcurrencyLimiter.make"])
    }))

  it.effect.prop(
    "property: never more than maxPending waiting over all keys; shed effects run nothing; bounds held; nothing leaks",
    [
      Gen.record({
        perKey: Gen.integer({ min: 1, max: 2 }),
        global: Gen.integer({ min: 1, max: 3 }),
        maxPending: Gen.integer({ min: 0, max: 3 }),
        onFull: Gen.constantFrom("fail", "dropOldest"),
        aging: Gen.constantFrom(undefined, "2 millis")
      }),
      Gen.array(
        Gen.record({
          at: Gen.integer({ min: 0, max: 10 }),
          key: Gen.constantFrom("a", "b", "c"),
          priority: Gen.integer({ min: 0, max: 2 }),
          duration: Gen.integer({ min: 0, max: 6 }),
          interruptAfter: Gen.option(Gen.integer({ min: 0, max: 12 }), { nil: undefined })
        }),
        { maxLength: 16 }
      )
    ],
    ([options, uses]) =>
      Effect.gen(function*() {
        const limit = yield* KeyedConcurrencyLimiter.make<string>(options)
        const ran = uses.map(() => false)
        const insideKey = new Map<string, number>()
        let all = 0
        const broken: Array<string> = []
        const check = (when: string) =>
          Effect.map(limit.waitingAll, (waiting) => {
            if (waiting > options.maxPending) broken.push(`${when}: ${waiting} waiting`)
          })
        const body = (i: number, key: string) =>
          Effect.acquireUseRelease(
            Effect.sync(() => {
              ran[i] = true
              const n = (insideKey.get(key) ?? 0) + 1
              insideKey.set(key, n)
              if (n > options.perKey || ++all > options.global) broken.push(`#${i} over: ${key}=${n}, all=${all}`)
            }),
            () => Effect.andThen(check(`#${i} inside`), Effect.sleep(uses[i]!.duration)),
            () => Effect.sync(() => void (insideKey.set(key, insideKey.get(key)! - 1), all--))
          )
        const exits = yield* TestTime.run(Effect.gen(function*() {
          const fibers = yield* Effect.forEach(uses, (use, i) =>
            Effect.forkChild(
              Effect.andThen(
                Effect.sleep(use.at),
                Effect.tap(limit.withPriority(use.key, use.priority)(body(i, use.key)), () => check(`#${i} done`))
              )
            ))
          yield* Effect.forEach(uses, (use, i) =>
            use.interruptAfter === undefined
              ? Effect.void
              : Effect.forkChild(Effect.andThen(Effect.sleep(use.interruptAfter), Fiber.interrupt(fibers[i]!))))
          // between the arrivals (whole milliseconds), the line as it stands
          const watcher = yield* Effect.forkChild(
            Effect.forEach(Array.from({ length: 60 }, (_, t) => t), (t) =>
              Effect.andThen(Effect.sleep(t === 0 ? 0.5 : 1), check(`at ${t + 0.5} ms`)))
          )
          const exits = yield* Effect.forEach(fibers, Fiber.await)
          yield* Fiber.interrupt(watcher)
          return exits
        }))
        exits.forEach((exit, i) => {
          if (shedOf(exit) !== undefined && ran[i]) {
            broken.push(`#${i} shed but ran`)
          }
          if (Exit.isSuccess(exit) && !ran[i]) {
            broken.push(`#${i} succeeded without running`)
          }
        })
        assert.deepStrictEqual(broken, [])
        assert.deepStrictEqual([yield* limit.keys, yield* limit.insideAll, yield* limit.waitingAll, all], [0, 0, 0, 0])
      }),
    { arbitrary: { runs: 60 }, timeout: 60_000 }
  )
})

/**
 * KeyedConcurrencyLimiter against a plain model of its README: "The waiting effects of
 * every key stand in one line, first come, first served, or by `withPriority(key, p)` … ranked once,
 * at arrival. An effect enters when it is the first in that line whose key has room (fewer than
 * `perKey` of its key inside) and a global permit is free." The test logs, in the order they
 * happen, each arrival, each end and each resize (one limit per call, or both at once), replays them through the
 * model, and compares the model's order of entry with the effects' actual starts.
 */
import { assert, describe, it } from "@effect/vitest"
import { Gen, TestTime } from "@fiberkit/testkit"
import { Effect, Fiber } from "effect"
import * as KeyedConcurrencyLimiter from "../src/KeyedConcurrencyLimiter.js"

type Event =
  | { readonly kind: "arrive"; readonly i: number; readonly key: string; readonly rank: number }
  | { readonly kind: "end"; readonly i: number; readonly key: string }
  | { readonly kind: "resize"; readonly perKey?: number; readonly global?: number }
  | { readonly kind: "start"; readonly i: number }
  | { readonly kind: "leave"; readonly i: number; readonly key: string }

/** The README's rule, the plain way: one sorted line, the first whose key has room enters. */
const modelStarts = (
  events: ReadonlyArray<Event>,
  perKey0: number,
  global0: number,
  maxPending: number | undefined,
  onFull: "fail" | "dropOldest"
): Array<number> => {
  let perKey = perKey0
  let global = global0
  let all = 0
  const inside = new Map<string, number>()
  const line: Array<{ i: number; key: string; rank: number; seq: number }> = []
  const started: Array<number> = []
  const running = new Set<number>()
  let seq = 0
  const hasRoom = (key: string) => (inside.get(key) ?? 0) < perKey
  const enter = (i: number, key: string) => {
    inside.set(key, (inside.get(key) ?? 0) + 1)
    all++
    started.push(i)
    running.add(i)
  }
  const release = (key: string) => {
    inside.set(key, inside.get(key)! - 1)
    all--
    grant()
  }
  const grant = () => {
    while (all < global) {
      const at = line.findIndex((w) => hasRoom(w.key))
      if (at === -1) return
      const [w] = line.splice(at, 1)
      enter(w!.i, w!.key)
    }
  }
  for (const event of events) {
    if (event.kind === "arrive") {
      if (all < global && hasRoom(event.key) && !line.some((w) => hasRoom(w.key))) enter(event.i, event.key)
      else {
        if (maxPending !== undefined && line.length >= maxPending) {
          // "fail" refuses the newcomer, "dropOldest" drops the longest waiter of any key
          if (onFull === "fail" || line.length === 0) continue
          const oldest = line.reduce((a, b) => (b.seq < a.seq ? b : a))
          line.splice(line.indexOf(oldest), 1)
        }
        const w = { i: event.i, key: event.key, rank: event.rank, seq: seq++ }
        const at = line.findIndex((o) => o.rank > w.rank)
        line.splice(at === -1 ? line.length : at, 0, w)
      }
    } else if (event.kind === "end") {
      running.delete(event.i)
      release(event.key)
    } else if (event.kind === "leave") {
      // interrupted: out of the line if it waited; let in but interrupted before it started, its
      // place goes back (it never runs: taken out of the model's starts)
      const at = line.findIndex((w) => w.i === event.i)
      if (at !== -1) {
        line.splice(at, 1)
        grant()
      } else if (running.has(event.i)) {
        running.delete(event.i)
        started.splice(started.indexOf(event.i), 1)
        release(event.key)
      }
    } else if (event.kind === "resize") {
      if (event.perKey !== undefined) perKey = event.perKey
      if (event.global !== undefined) global = event.global
      grant()
    }
  }
  return started
}

describe("KeyedConcurrencyLimiter against the README's model", () => {
  it.effect.prop(
    "property: every start is the one the model lets in (random keys, priorities, aging, maxPending/onFull, resizes of one limit or both, interruptions)",
    [
      Gen.record({
        perKey: Gen.integer({ min: 1, max: 3 }),
        global: Gen.option(Gen.integer({ min: 1, max: 4 }), { nil: undefined }),
        aging: Gen.constantFrom(undefined, 2),
        maxPending: Gen.option(Gen.integer({ min: 0, max: 3 }), { nil: undefined }),
        onFull: Gen.constantFrom("fail", "dropOldest")
      }),
      Gen.array(
        Gen.record({
          at: Gen.integer({ min: 0, max: 12 }),
          key: Gen.constantFrom("a", "b", "c"),
          priority: Gen.integer({ min: -2, max: 3 }),
          duration: Gen.integer({ min: 0, max: 6 }),
          interruptAt: Gen.option(Gen.integer({ min: 0, max: 16 }), { nil: undefined })
        }),
        { maxLength: 18 }
      ),
      Gen.array(
        Gen.record({
          at: Gen.integer({ min: 0, max: 14 }),
          field: Gen.constantFrom("perKey", "global", "both"),
          size: Gen.integer({ min: 1, max: 4 })
        }),
        { maxLength: 4 }
      )
    ],
    ([options, uses, resizes]) =>
      Effect.gen(function*() {
        const limit = yield* KeyedConcurrencyLimiter.make<string>({
          perKey: options.perKey,
          global: options.global,
          aging: options.aging === undefined ? undefined : `${options.aging} millis`,
          maxPending: options.maxPending,
          onFull: options.onFull
        })
        const events: Array<Event> = []
        // arrivals at even half-milliseconds, ends at odd ones, resizes at quarters: one kind per instant
        const rankOf = (at: number, priority: number) =>
          options.aging === undefined ? -priority : at - priority * options.aging
        yield* TestTime.run(Effect.gen(function*() {
          const fibers = yield* Effect.forEach(uses, (use, i) =>
            Effect.forkChild(
              Effect.andThen(
                Effect.sleep(use.at),
                Effect.andThen(
                  Effect.sync(() =>
                    void events.push({ kind: "arrive", i, key: use.key, rank: rankOf(use.at, use.priority) })
                  ),
                  Effect.exit(
                    Effect.onInterrupt(
                      limit.withPriority(use.key, use.priority)(
                        Effect.acquireUseRelease(
                          Effect.sync(() => void events.push({ kind: "start", i })),
                          () => Effect.sleep(use.duration + 0.5),
                          () => Effect.sync(() => void events.push({ kind: "end", i, key: use.key }))
                        )
                      ),
                      () => Effect.sync(() => void events.push({ kind: "leave", i, key: use.key }))
                    )
                  )
                )
              )
            ))
          const resizers = yield* Effect.forEach(resizes, (resize) =>
            Effect.forkChild(
              Effect.andThen(
                Effect.sleep(resize.at + 0.25),
                resize.field !== "perKey" && options.global === undefined
                  ? Effect.void
                  : Effect.suspend(() => {
                    // both at once: perKey grows or shrinks with the global size, one less
                    const sizes = resize.field === "both"
                      ? { perKey: Math.max(1, resize.size - 1), global: resize.size }
                      : { [resize.field]: resize.size }
                    events.push({ kind: "resize", ...sizes })
                    return Effect.orDie(limit.resize(sizes))
                  })
              )
            ))
          // interruptions at three quarters of a millisecond: apart from arrivals, ends and resizes
          const interrupters = yield* Effect.forEach(uses, (use, i) =>
            use.interruptAt === undefined
              ? Effect.forkChild(Effect.void)
              : Effect.forkChild(Effect.andThen(Effect.sleep(use.interruptAt + 0.75), Fiber.interrupt(fibers[i]!))))
          yield* Effect.forEach(fibers, Fiber.await)
          yield* Fiber.joinAll([...resizers, ...interrupters])
        }))
        const actual = events.flatMap((e) => e.kind === "start" ? [e.i] : [])
        const expected = modelStarts(
          events,
          options.perKey,
          options.global ?? Number.POSITIVE_INFINITY,
          options.maxPending,
          options.onFull
        )
        assert.deepStrictEqual(actual, expected, JSON.stringify(events))
        assert.deepStrictEqual([yield* limit.keys, yield* limit.insideAll, yield* limit.waitingAll], [0, 0, 0])
      }),
    { arbitrary: { runs: 300 }, timeout: 120_000 }
  )
})

/**
 * The TaskManager contract for deduplication windows (issue 26): `add(…, { dedupe })` in throttle
 * mode keeps the first task of a key for `ttl`, in debounce mode moves the one waiting task of a
 * key `ttl` after the last add; keys are independent (per definition and mode), racing adds add
 * one task, every task added ends once, and bad options fail `InvalidOptions`. Run on the live
 * clock against every store (windows of a few hundred ms).
 */
import { assert, describe, it } from "@effect/vitest"
import { Clock, Effect, Fiber, Schema, Stream } from "effect"
import * as TaskManager from "../src/TaskManager.js"
import { type StoreFactory, within, withStore } from "./contractKit.js"

/** Tasks that note what they ran, and when (by label). */
const noting = (ran: Array<{ readonly label: string; readonly at: number }>) => {
  const run = (label: string) =>
    Effect.flatMap(Clock.currentTimeMillis, (at) => Effect.sync(() => void ran.push({ label, at })))
  return [
    TaskManager.define("note", { args: Schema.String, run }),
    TaskManager.define("other", { args: Schema.String, run })
  ] as const
}

const throttle = (key: string, ttl: TaskManager.TaskManager.Dedupe["ttl"] = "300 millis") => ({
  dedupe: { key, ttl }
})
const debounce = (key: string, ttl: TaskManager.TaskManager.Dedupe["ttl"] = "300 millis") => ({
  dedupe: { key, ttl, mode: "debounce" as const }
})

export const contractDedupe = (name: string, store: StoreFactory) =>
  describe(`TaskManager contract, deduplication: ${name}`, () => {
    it.live("throttle: the first add of a key wins for ttl; after the window, a new task", () =>
      withStore(store, (store) =>
        Effect.gen(function*() {
          const ran: Array<{ readonly label: string; readonly at: number }> = []
          const [note] = noting(ran)
          const manager = yield* TaskManager.make({ tasks: [note], concurrency: 2, store })
          const first = yield* manager.add(note, "a", throttle("k", "400 millis"))
          const record = yield* manager.status(first)
          assert.strictEqual(yield* manager.add(note, "b", throttle("k", "400 millis")), first)
          yield* within("join", manager.join)
          // the window holds after its task ended
          assert.strictEqual(yield* manager.add(note, "c", throttle("k", "400 millis")), first)
          const now = yield* Clock.currentTimeMillis
          yield* Effect.sleep(Math.max(0, record.addedAt + 400 - now) + 20)
          const second = yield* manager.add(note, "d", throttle("k", "400 millis"))
          assert.notStrictEqual(second, first)
          yield* within("join", manager.join)
          assert.deepStrictEqual(ran.map((r) => r.label), ["a", "d"])
          assert.strictEqual((yield* manager.status(first)).args, "a")
        })))

    it.live("debounce: each add moves the one waiting task ttl later; it runs once, after the burst", () =>
      withStore(store, (store) =>
        Effect.gen(function*() {
          const ran: Array<{ readonly label: string; readonly at: number }> = []
          const [note] = noting(ran)
          const manager = yield* TaskManager.make({ tasks: [note], concurrency: 2, store })
          const id = yield* manager.add(note, "a", debounce("k"))
          const first = yield* manager.status(id)
          assert.strictEqual(first.state, "queued")
          assert.strictEqual(first.runAt, first.addedAt + 300)
          let last = first.runAt!
          for (const label of ["b", "c"]) {
            yield* Effect.sleep("120 millis")
            const before = yield* Clock.currentTimeMillis
            assert.strictEqual(yield* manager.add(note, label, debounce("k")), id)
            const moved = (yield* manager.status(id)).runAt!
            assert.isAtLeast(moved, before + 300)
            assert.isAbove(moved, last)
            last = moved
          }
          assert.deepStrictEqual(ran, [])
          yield* within("join", manager.join)
          // the first add's arguments, not before the last move
          assert.strictEqual(ran.length, 1)
          assert.strictEqual(ran[0]!.label, "a")
          assert.isAtLeast(ran[0]!.at, last)
          assert.strictEqual((yield* manager.status(id)).runAt, last)
          // the task has run: the window is over
          const next = yield* manager.add(note, "d", debounce("k"))
          assert.notStrictEqual(next, id)
          yield* within("join", manager.join)
          assert.deepStrictEqual(ran.map((r) => r.label), ["a", "d"])
        })))

    it.live("keys are independent: per key, per definition, per mode", () =>
      withStore(store, (store) =>
        Effect.gen(function*() {
          const [note, other] = noting([])
          const manager = yield* TaskManager.make({ tasks: [note, other], concurrency: 2, store })
          const ids = [
            yield* manager.add(note, "x", throttle("k1", "1 minute")),
            yield* manager.add(note, "x", throttle("k2", "1 minute")),
            yield* manager.add(other, "x", throttle("k1", "1 minute")),
            yield* manager.add(note, "x", debounce("k1", "100 millis"))
          ]
          assert.strictEqual(new Set(ids).size, 4)
          assert.strictEqual(yield* manager.add(note, "y", throttle("k2", "1 minute")), ids[1])
          yield* within("join", manager.join)
        })))

    it.live("adds racing in one window add one task, and every add answers its id", () =>
      withStore(store, (store) =>
        Effect.gen(function*() {
          const ran: Array<{ readonly label: string; readonly at: number }> = []
          const [note] = noting(ran)
          const manager = yield* TaskManager.make({ tasks: [note], concurrency: 2, store })
          const results = yield* manager.subscribe
          const collected = yield* Effect.forkChild(Stream.runCollect(results))
          for (const options of [throttle("t", "1 minute"), debounce("d")]) {
            const ids = yield* Effect.all(
              Array.from({ length: 12 }, (_, i) => manager.add(note, `${i}`, options)),
              { concurrency: "unbounded" }
            )
            assert.strictEqual(new Set(ids).size, 1, JSON.stringify(options))
          }
          yield* within("join", manager.join)
          assert.strictEqual(ran.length, 2)
          yield* manager.shutdown({ drain: true })
          const outcomes = yield* within("results", Fiber.join(collected))
          assert.strictEqual(outcomes.length, 2)
          assert.strictEqual(new Set(outcomes.map((r) => r.id)).size, 2)
        })))

    it.live("a cancelled debounce task ends its window; a throttle window holds its cancelled task", () =>
      withStore(store, (store) =>
        Effect.gen(function*() {
          const [note] = noting([])
          const manager = yield* TaskManager.make({ tasks: [note], concurrency: 1, store })
          const debounced = yield* manager.add(note, "a", debounce("k", "1 minute"))
          assert.isTrue(yield* manager.cancel(debounced))
          const again = yield* manager.add(note, "b", debounce("k", "1 minute"))
          assert.notStrictEqual(again, debounced)
          assert.strictEqual((yield* manager.status(again)).state, "queued")
          assert.isTrue(yield* manager.cancel(again))
          const throttled = yield* manager.add(note, "c", { ...throttle("k", "1 minute"), delay: "1 minute" })
          assert.isTrue(yield* manager.cancel(throttled))
          assert.strictEqual(yield* manager.add(note, "d", throttle("k", "1 minute")), throttled)
          yield* within("join", manager.join)
        })))

    it.live("with an id: a new id is the task's; a held id adds nothing and opens no window", () =>
      withStore(store, (store) =>
        Effect.gen(function*() {
          const [note] = noting([])
          const manager = yield* TaskManager.make({ tasks: [note], concurrency: 1, store })
          assert.strictEqual(yield* manager.add(note, "a", { id: "x", ...throttle("k", "1 minute") }), "x")
          assert.strictEqual(yield* manager.add(note, "b", { id: "y", ...throttle("k", "1 minute") }), "x")
          assert.strictEqual(yield* manager.add(note, "c", { id: "x", ...throttle("k2", "1 minute") }), "x")
          const opened = yield* manager.add(note, "d", throttle("k2", "1 minute"))
          assert.notStrictEqual(opened, "x")
          assert.strictEqual((yield* Effect.flip(manager.status("y")))._tag, "TaskNotFound")
          yield* within("join", manager.join)
        })))

    it.live("a bad key, ttl or mode, or a debounce with a delay, fails InvalidOptions and adds nothing", () =>
      withStore(store, (store) =>
        Effect.gen(function*() {
          const [note] = noting([])
          const manager = yield* TaskManager.make({ tasks: [note], concurrency: 1, store })
          const bad: ReadonlyArray<readonly [string, TaskManager.TaskManager.AddOptions]> = [
            ["dedupe.key", { dedupe: { key: "", ttl: "1 second" } }],
            ["dedupe.key", { dedupe: { key: "a\nb", ttl: "1 second" } }],
            ["dedupe.key", { dedupe: { key: "k".repeat(257), ttl: "1 second" } }],
            ["dedupe.key", { dedupe: { key: 42 as never, ttl: "1 second" } }],
            ["dedupe.ttl", { dedupe: { key: "k", ttl: 0 } }],
            ["dedupe.ttl", { dedupe: { key: "k", ttl: -1 } }],
            ["dedupe.ttl", { dedupe: { key: "k", ttl: Number.NaN } }],
            ["dedupe.ttl", { dedupe: { key: "k", ttl: Infinity } }],
            ["dedupe.ttl", { dedupe: { key: "k", ttl: "soon" as never } }],
            ["dedupe.mode", { dedupe: { key: "k", ttl: "1 second", mode: "both" as never } }],
            ["delay", { ...debounce("k"), delay: "1 second" }],
            ["runAt", { ...debounce("k"), runAt: Date.now() + 1_000 }]
          ]
          for (const [i, [field, options]] of bad.entries()) {
            const error = yield* Effect.flip(manager.add(note, "bad", { ...options, id: `bad-${i}` }))
            assert.strictEqual(error._tag, "InvalidOptions", `${i}`)
            assert.strictEqual((error as { readonly field?: string }).field, field, `${i}`)
          }
          assert.deepStrictEqual(yield* manager.list(), [])
          // the key was not taken by a bad add
          const ok = yield* manager.add(note, "ok", throttle("k"))
          assert.strictEqual((yield* manager.status(ok)).args, "ok")
          yield* within("join", manager.join)
        })))
  })

// From an independent review (all held): handed batches ({ items, seqs }), pullUpTo's single `taken()`,
// putFrom's single count —
// on Effect's default scheduler (it.live), where a served taker resumes in a microtask.
import { assert, describe, it } from "@effect/vitest"
import { Effect, Fiber, Number as N } from "effect"
import * as JoinableQueue from "../src/JoinableQueue.js"

type Kind = "fifo" | "lifo" | "priority"

let seed = 12345
const random = (n: number) => (seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648) % n
const micro = (k: number) =>
  Effect.gen(function*() {
    for (let i = 0; i < k; i++) yield* Effect.promise(() => Promise.resolve())
  })

const chaos = (kind: Kind, consumers: number, total: number, capacity: number) =>
  Effect.gen(function*() {
    const queue = yield* Effect.orDie(
      JoinableQueue.make<number>({ capacity, kind, order: kind === "priority" ? N.Order : undefined })
    )
    const delivered: Array<number> = []
    const consumer = Effect.forever(
      Effect.gen(function*() {
        const batch = yield* queue.takeBatch(1 + random(4))
        for (const x of batch) {
          delivered.push(x)
          yield* Effect.orDie(queue.taskDone)
        }
      }),
      { disableYield: true }
    )
    const fibers: Array<Fiber.Fiber<unknown, unknown>> = []
    for (let i = 0; i < consumers; i++) fibers.push(yield* Effect.forkChild(consumer))
    const producer = yield* Effect.forkChild(Effect.gen(function*() {
      let next = 0
      while (next < total) {
        const n = Math.min(total - next, 1 + random(7))
        const chunk = Array.from({ length: n }, (_, i) => next + i)
        next += n
        yield* Effect.orDie(queue.putAll(chunk))
        if (random(3) === 0) yield* micro(random(3))
      }
    }))
    // interrupt consumers at random microtask offsets (before, during, after their wake) and replace them
    for (let i = 0; i < 300; i++) {
      yield* micro(random(4))
      const at = random(fibers.length)
      yield* Fiber.interrupt(fibers[at]!)
      fibers[at] = yield* Effect.forkChild(consumer)
    }
    yield* Fiber.join(producer)
    const joined = yield* queue.join.pipe(Effect.timeout("5 seconds"), Effect.exit)
    const unfinished = yield* queue.unfinishedTasks
    const size = yield* queue.size
    for (const f of fibers) yield* Fiber.interrupt(f)
    return { delivered, joined: joined._tag, unfinished, size }
  })

describe("JoinableQueue batches with takers interrupted around their wake (microtask path)", () => {
  for (const kind of ["fifo", "lifo", "priority"] as const) {
    it.live(`${kind}: every item exactly once, join returns, counts right`, () =>
      Effect.gen(function*() {
        const total = 3000
        const { delivered, joined, size, unfinished } = yield* chaos(kind, 4, total, 5)
        const sorted = [...delivered].sort((a, b) => a - b)
        const dupes = sorted.filter((x, i) => i > 0 && sorted[i - 1] === x)
        assert.deepStrictEqual(dupes.slice(0, 5), [], "no item twice")
        assert.strictEqual(delivered.length, total)
        assert.strictEqual(joined, "Success")
        assert.strictEqual(unfinished, 0)
        assert.strictEqual(size, 0)
      }), 60_000)
  }

  it.live("fifo, one consumer at a time: items come out in order despite interruptions", () =>
    Effect.gen(function*() {
      const total = 3000
      const { delivered, joined } = yield* chaos("fifo", 1, total, 4)
      assert.strictEqual(joined, "Success")
      const firstOut = delivered.findIndex((x, i) => x !== i)
      assert.strictEqual(firstOut, -1, `out of order at ${firstOut}: ${delivered.slice(firstOut - 3, firstOut + 3)}`)
    }), 60_000)

  it.live("takeBatch from a full queue serves every waiting putter (one taken() per batch)", () =>
    Effect.gen(function*() {
      const queue = yield* Effect.orDie(JoinableQueue.make<number>({ capacity: 3 }))
      yield* Effect.orDie(queue.putAll([0, 1, 2]))
      const putters = []
      for (let i = 3; i < 6; i++) putters.push(yield* Effect.forkChild(Effect.orDie(queue.put(i))))
      yield* micro(3)
      const first = yield* Effect.orDie(queue.takeBatch(3))
      for (const p of putters) yield* Fiber.join(p)
      const second = yield* Effect.orDie(queue.takeBatch(3))
      assert.deepStrictEqual([...first, ...second], [0, 1, 2, 3, 4, 5])
    }))

  it.live("putAll into an unbounded queue and a partial fit keep unfinishedTasks exact", () =>
    Effect.gen(function*() {
      const unbounded = yield* Effect.orDie(JoinableQueue.make<number>())
      yield* Effect.orDie(unbounded.putAll(Array.from({ length: 1000 }, (_, i) => i)))
      assert.strictEqual(yield* unbounded.unfinishedTasks, 1000)
      assert.strictEqual(yield* unbounded.size, 1000)
      const small = yield* Effect.orDie(JoinableQueue.make<number>({ capacity: 2 }))
      const putter = yield* Effect.forkChild(Effect.orDie(small.putAll([1, 2, 3, 4, 5])))
      yield* Effect.promise(() => new Promise((r) => setImmediate(r)))
      assert.strictEqual(yield* small.unfinishedTasks, 2)
      const got: Array<number> = []
      while (got.length < 5) for (const item of yield* Effect.orDie(small.takeBatch(5))) got.push(item)
      yield* Fiber.join(putter)
      assert.deepStrictEqual(got, [1, 2, 3, 4, 5])
      assert.strictEqual(yield* small.unfinishedTasks, 5)
    }))
})

import { assert, describe, it } from "@effect/vitest"
import { TestTime } from "@fiberkit/testkit"
import { Chunk, Effect, Fiber, Schedule, Stream } from "effect"
import * as Progress from "../src/Progress.js"

/** An output that records what is written; a terminal or not. */
const fakeOutput = (isTTY: boolean | undefined) => {
  const writes: Array<string> = []
  return { writes, output: { ...(isTTY === undefined ? {} : { isTTY }), write: (text: string) => writes.push(text) } }
}

const full = (n: number, label: string) => `\r[${"#".repeat(30)}] ${n}/${n} ${label}\n`

describe("Progress.track", () => {
  it.effect("counts the items: the last progress seen is the number of items; the items pass unchanged", () =>
    Effect.gen(function*() {
      const { progress, stream } = yield* Progress.track(Stream.range(1, 50), { total: 50 })
      const seen = yield* Effect.fork(Stream.runCollect(Stream.takeUntil(progress, (p) => p.done >= 50)))
      const items = yield* Stream.runCollect(stream)
      const all = Chunk.toReadonlyArray(yield* Fiber.join(seen))
      assert.deepStrictEqual(Chunk.toReadonlyArray(items), Array.from({ length: 50 }, (_, i) => i + 1))
      assert.deepStrictEqual(all.at(-1), { done: 50, total: 50 })
      // each count once, in order, from where the subscriber joined
      const counts = all.map((p) => p.done)
      assert.deepStrictEqual(counts, Array.from({ length: counts.length }, (_, i) => counts[0]! + i))
    }))

  it.effect("without a total: the count alone; the current value comes first", () =>
    Effect.gen(function*() {
      const { progress, stream } = yield* Progress.track(Stream.make("a", "b", "c"))
      yield* Stream.runDrain(stream)
      const first = yield* Stream.runHead(progress)
      assert.deepStrictEqual(first._tag === "Some" ? first.value : undefined, { done: 3, total: undefined })
    }))
})

describe("Progress.render", () => {
  it.effect("writes nothing when the output is not a terminal, and returns at once", () =>
    Effect.gen(function*() {
      for (const isTTY of [false, undefined]) {
        const { output, writes } = fakeOutput(isTTY)
        // a progress that never ends: render must not wait for it
        yield* Progress.render(Stream.never, { label: "items", output })
        const { progress, stream } = yield* Progress.track(Stream.range(1, 10), { total: 10 })
        const drawing = yield* Effect.fork(Progress.render(progress, { label: "items", output }))
        yield* Stream.runDrain(stream)
        yield* Fiber.join(drawing)
        assert.deepStrictEqual(writes, [])
      }
    }))

  it.effect("on a terminal: ends at the total with a final line n/n and a newline", () =>
    Effect.gen(function*() {
      const { output, writes } = fakeOutput(true)
      const { progress, stream } = yield* Progress.track(Stream.range(1, 10), { total: 10 })
      const drawing = yield* Effect.fork(Progress.render(progress, { label: "items", output }))
      yield* Stream.runDrain(stream)
      yield* Fiber.join(drawing)
      assert.isAtLeast(writes.length, 1)
      assert.strictEqual(writes.at(-1), full(10, "items"))
      assert.include(writes.at(-1), "10/10")
      // one line, redrawn in place: only the final write ends it
      assert.isTrue(writes.every((w) => w.startsWith("\r")))
      assert.isTrue(writes.slice(0, -1).every((w) => !w.includes("\n")))
    }))

  it.effect("on a terminal: redrawn at most every 100 ms, and once at the end", () =>
    Effect.gen(function*() {
      const { output, writes } = fakeOutput(true)
      // done = 0, 1, …, 10, one every 30 ms
      const progress = Stream.range(0, 10).pipe(
        Stream.schedule(Schedule.spaced("30 millis")),
        Stream.map((done): Progress.Progress => ({ done, total: 10 }))
      )
      yield* TestTime.run(Progress.render(progress, { label: "files", output }))
      const drawn = writes.map((w) => Number(/ (\d+)\/10 /.exec(w)![1]))
      assert.strictEqual(drawn[0], 0)
      assert.strictEqual(drawn.at(-1), 10)
      assert.strictEqual(writes.at(-1), full(10, "files"))
      // 11 values over 300 ms: far fewer draws, none of the intermediate ones closer than 100 ms
      // (4 values of 30 ms apart)
      assert.isBelow(writes.length, 11)
      for (let i = 1; i < drawn.length - 1; i++) assert.isAtLeast(drawn[i]! - drawn[i - 1]!, 4)
    }))

  it.effect("on a terminal, without a total: the count, until the progress ends", () =>
    Effect.gen(function*() {
      const { output, writes } = fakeOutput(true)
      yield* Progress.render(Stream.make({ done: 3, total: undefined }), { label: "rows", output })
      assert.deepStrictEqual(writes, ["\r3 rows"])
    }))

  it.effect("on a terminal, a total of 0: done at once", () =>
    Effect.gen(function*() {
      const { output, writes } = fakeOutput(true)
      yield* Progress.render(Stream.concat(Stream.make({ done: 0, total: 0 }), Stream.never), { output })
      assert.deepStrictEqual(writes, ["\r0 \n"])
    }))

  // BUG (src/Progress.ts, `bar`: `"-".repeat(width - filled)`): when the count passes the total
  // (a total that was an estimate, or a render that subscribes after the count went past it),
  // `filled` exceeds the width and `repeat` throws a RangeError: render dies with a defect
  // instead of drawing a full bar. Remove `.fails` once fixed.
  it.effect("on a terminal, a count past its total draws a full bar instead of dying", () =>
    Effect.gen(function*() {
      const { output, writes } = fakeOutput(true)
      const { progress, stream } = yield* Progress.track(Stream.range(1, 5), { total: 3 })
      yield* Stream.runDrain(stream)
      yield* Progress.render(progress, { label: "items", output })
      assert.strictEqual(writes.length, 1)
      assert.include(writes[0], "5/3")
    }))
})

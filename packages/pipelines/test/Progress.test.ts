import { assert, describe, it } from "@effect/vitest"
import { TestTime } from "@fiberkit/testkit"
import { Effect, Fiber, Schedule, Stream, Terminal } from "effect"
import * as PlatformError from "effect/PlatformError"
import * as Progress from "../src/Progress.js"

/**
 * A `Terminal` that records what is displayed: a TTY of 80 columns, or, with 0 columns, an output
 * that is not one (as Node's terminal says when stdout is a pipe or a file). `failing` makes every
 * write fail, as a closed stdout does.
 */
const recordingTerminal = (columns: number, options?: { readonly failing?: boolean }) => {
  const writes: Array<string> = []
  const unused = Effect.die("not used by render")
  const terminal = Terminal.make({
    columns: Effect.succeed(columns),
    rows: Effect.succeed(24),
    size: unused,
    readInput: unused,
    readLine: unused,
    display: (text) =>
      options?.failing === true
        ? Effect.fail(PlatformError.badArgument({ module: "Terminal", method: "display", description: "closed" }))
        : Effect.sync(() => void writes.push(text))
  })
  return {
    writes,
    provide: <A, E, R>(effect: Effect.Effect<A, E, R>) => Effect.provideService(effect, Terminal.Terminal, terminal)
  }
}
/** A terminal on a TTY, and one that is not. */
const tty = () => recordingTerminal(80)
const notTTY = () => recordingTerminal(0)

const ESC = "\u001b["
/** Every ANSI escape sequence (colours, cursor moves, erasing). */

const escapes = /\u001b\[[0-9;?]*[A-Za-z]/g
/** The text a terminal shows: `text` without its escape sequences. */
const strip = (text: string) => text.replace(escapes, "")
/** The escape sequences in `text`, in order. */
const sequences = (text: string) => text.match(escapes) ?? []

/** Erase the line, and back to its first column: the start of every redraw. */
const CLEAR = `${ESC}2K`
const LEFT = `${ESC}G`
const GREEN = `${ESC}0;32m`
const DIM = `${ESC}0;90m`
const BOLD = `${ESC}0;1m`

/** Whether `write` starts a redraw in place: before any text, the line erased and the cursor back to its first column. */
const inPlace = (write: string) => {
  const left = write.indexOf(LEFT)
  return left >= 0 && strip(write.slice(0, left)) === "" && write.slice(0, left).includes(CLEAR)
}

const plain = (progress: Progress.Progress, options?: { readonly label?: string; readonly width?: number }) =>
  strip(Progress.toAnsi(Progress.bar(progress, options)))

const full = (n: number, label: string) => `[${"█".repeat(30)}] 100% ${n}/${n} ${label}\n`

describe("Progress.track", () => {
  it.effect("counts the items: the last progress seen is the number of items; the items pass unchanged", () =>
    Effect.gen(function*() {
      const { progress, stream } = yield* Progress.track(Stream.range(1, 50), { total: 50 })
      const seen = yield* Effect.forkChild(Stream.runCollect(Stream.takeUntil(progress, (p) => p.done >= 50)))
      const items = yield* Stream.runCollect(stream)
      const all = yield* Fiber.join(seen)
      assert.deepStrictEqual(items, Array.from({ length: 50 }, (_, i) => i + 1))
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
  it.effect("a second run counts from 0 again: done never goes past the items of one run", () =>
    Effect.gen(function*() {
      const { progress, stream } = yield* Progress.track(Stream.range(1, 5), { total: 5 })
      yield* Stream.runDrain(stream)
      const seen = yield* Effect.forkChild(Stream.runCollect(Stream.take(progress, 6)))
      yield* Effect.yieldNow
      yield* Stream.runDrain(stream)
      const counts = (yield* Fiber.join(seen)).map((p) => p.done)
      // the first run's last count, then the second run from 0
      assert.deepStrictEqual(counts, [5, 0, 1, 2, 3, 4])
      const last = yield* Stream.runHead(progress)
      assert.deepStrictEqual(last._tag === "Some" ? last.value : undefined, { done: 5, total: 5 })
    }))
})

describe("Progress.bar", () => {
  it("with a total: the bar, the percentage, the counts and the label", () => {
    assert.strictEqual(plain({ done: 0, total: 10 }, { label: "items", width: 10 }), "[░░░░░░░░░░]   0%  0/10 items")
    assert.strictEqual(plain({ done: 5, total: 10 }, { label: "items", width: 10 }), "[█████░░░░░]  50%  5/10 items")
    assert.strictEqual(plain({ done: 10, total: 10 }, { label: "items", width: 10 }), "[██████████] 100% 10/10 items")
    // 30 cells by default; a cell only once its share is done
    assert.strictEqual(
      plain({ done: 2, total: 3 }, { label: "files" }),
      `[${"█".repeat(20)}${"░".repeat(10)}]  66% 2/3 files`
    )
    assert.strictEqual(plain({ done: 99, total: 100 }, { width: 10 }), "[█████████░]  99%  99/100")
  })

  it("without a total, or a total of 0: the count and the label", () => {
    assert.strictEqual(plain({ done: 3, total: undefined }, { label: "rows" }), "3 rows")
    assert.strictEqual(plain({ done: 0, total: 0 }), "0")
  })

  it("a count past its total: a full bar at 100%, the counts saying by how much", () => {
    assert.strictEqual(plain({ done: 5, total: 3 }, { label: "items", width: 10 }), "[██████████] 100% 5/3 items")
  })

  it("the label stays on one line, without control characters", () => {
    assert.strictEqual(
      plain({ done: 1, total: undefined }, { label: "two\nlines \u001b[2Jcleared" }),
      "1 two lines [2Jcleared"
    )
    // BEL, tab, DEL and the 8-bit CSI (U+009B), which some terminals read as ESC [
    assert.strictEqual(plain({ done: 1, total: undefined }, { label: "\u0007a\tb\u007f\u009b2J" }), "1 ab2J")
  })

  it("a width that is not a positive integer is normalized, never thrown on: Infinity, NaN, negative, fractional", () => {
    const cellsOf = (width: number) => plain({ done: 1, total: 2 }, { width }).replace(/^\[([█░]*)\].*$/, "$1").length
    assert.strictEqual(cellsOf(Infinity), 1000)
    assert.strictEqual(cellsOf(1e9), 1000)
    assert.strictEqual(cellsOf(Number.NaN), 30)
    assert.strictEqual(cellsOf(-Infinity), 1)
    assert.strictEqual(cellsOf(-5), 1)
    assert.strictEqual(cellsOf(0), 1)
    assert.strictEqual(cellsOf(2.9), 2)
    assert.strictEqual(plain({ done: 1, total: 2 }, { width: 4.5 }), "[██░░]  50% 1/2")
  })

  it("colours: the part done green, the rest dim, the percentage bold", () => {
    const line = Progress.toAnsi(Progress.bar({ done: 1, total: 2 }, { label: "items", width: 4 }))
    assert.include(line, `${GREEN}██`)
    assert.include(line, `${DIM}░░`)
    assert.include(line, `${BOLD} 50%`)
  })

  it("the line is its spans: the styles on the bar's cells and the percentage, the text plain", () => {
    assert.deepStrictEqual(Progress.bar({ done: 1, total: 2 }, { label: "items", width: 4 }), [
      { text: "[" },
      { text: "██", style: "green" },
      { text: "░░", style: "dim" },
      { text: "]" },
      { text: " " },
      { text: " 50%", style: "bold" },
      { text: " " },
      { text: "1/2" },
      { text: " " },
      { text: "items" }
    ])
    // no cells of a kind: no span for them
    assert.deepStrictEqual(Progress.bar({ done: 0, total: 2 }, { width: 2 }).filter((s) => s.style === "green"), [])
  })
})

describe("Progress.toAnsi and toText", () => {
  it("toText is the text a terminal shows of toAnsi", () => {
    for (const progress of [{ done: 1, total: 2 }, { done: 7, total: undefined }, { done: 9, total: 3 }]) {
      const line = Progress.bar(progress, { label: "files", width: 8 })
      assert.strictEqual(Progress.toText(line), strip(Progress.toAnsi(line)))
    }
  })

  it("each styled span is reset before its style and after its text; an empty or unstyled span has no escapes", () => {
    assert.strictEqual(
      Progress.toAnsi([{ text: "a" }, { text: "b", style: "green" }, { text: "", style: "bold" }, { text: "c" }]),
      `a${GREEN}b${ESC}0mc`
    )
  })

  it("any span's text stays on one line, without control characters", () => {
    const line: Progress.Line = [{ text: "x\r\ny" }, { text: "\u001b[2J\u009bz", style: "dim" }]
    assert.strictEqual(Progress.toText(line), "x y[2Jz")
    assert.strictEqual(Progress.toAnsi(line), `x y${DIM}[2Jz${ESC}0m`)
  })
})

describe("Progress.render", () => {
  it.effect("not a terminal (0 columns): no escapes, no redraws, the last line once as plain text with a newline", () =>
    Effect.gen(function*() {
      const { provide, writes } = notTTY()
      const { progress, stream } = yield* Progress.track(Stream.range(1, 10), { total: 10 })
      const drawing = yield* Effect.forkChild(provide(Progress.render(progress, { label: "items" })))
      yield* Stream.runDrain(stream)
      yield* Fiber.join(drawing)
      assert.deepStrictEqual(writes, [full(10, "items")])
    }))

  it.effect("not a terminal, without a total: interrupted when the work is done, the last count as plain text", () =>
    Effect.gen(function*() {
      const { provide, writes } = notTTY()
      const { progress, stream } = yield* Progress.track(Stream.range(1, 7))
      const drawing = yield* Effect.forkChild(provide(Progress.render(progress, { label: "rows" })))
      yield* Effect.yieldNow
      yield* Stream.runDrain(stream)
      yield* Effect.yieldNow
      yield* Fiber.interrupt(drawing)
      assert.deepStrictEqual(writes, ["7 rows\n"])
    }))

  it.effect("the ansi option decides over the terminal: false on a TTY writes plain text, true off one redraws", () =>
    Effect.gen(function*() {
      const progress = Stream.make<Array<Progress.Progress>>({ done: 1, total: 2 }, { done: 2, total: 2 })
      const plainOnTTY = tty()
      yield* plainOnTTY.provide(Progress.render(progress, { label: "files", width: 4, ansi: false }))
      assert.deepStrictEqual(plainOnTTY.writes, ["[████] 100% 2/2 files\n"])
      const ansiOffTTY = notTTY()
      yield* ansiOffTTY.provide(Progress.render(progress, { label: "files", width: 4, ansi: true }))
      assert.deepStrictEqual(ansiOffTTY.writes.map(strip), ["[██░░]  50% 1/2 files", "[████] 100% 2/2 files\n"])
      assert.isTrue(ansiOffTTY.writes.every(inPlace))
    }))

  it.effect("a progress that ends without a value draws nothing", () =>
    Effect.gen(function*() {
      for (const { provide, writes } of [tty(), notTTY()]) {
        yield* provide(Progress.render(Stream.empty))
        assert.deepStrictEqual(writes, [])
      }
    }))

  it.effect("a write that fails fails the drawing with the terminal's PlatformError", () =>
    Effect.gen(function*() {
      for (const columns of [80, 0]) {
        const { provide } = recordingTerminal(columns, { failing: true })
        const error = yield* Effect.flip(provide(Progress.render(Stream.make({ done: 1, total: 1 }))))
        assert.strictEqual(error._tag, "PlatformError")
      }
    }))

  it.effect("a progress that fails: the last line is ended, then the drawing fails with the progress's error", () =>
    Effect.gen(function*() {
      const { provide, writes } = tty()
      const progress = Stream.concat(Stream.make({ done: 3, total: 10 }), Stream.fail("lost" as const))
      const error = yield* Effect.flip(provide(Progress.render(progress, { label: "items", width: 10 })))
      assert.strictEqual(error, "lost")
      assert.deepStrictEqual(writes.map(strip), ["[███░░░░░░░]  30%  3/10 items", "[███░░░░░░░]  30%  3/10 items\n"])
    }))

  it.effect("on a terminal: ends at the total with a final line n/n and a newline", () =>
    Effect.gen(function*() {
      const { provide, writes } = tty()
      const { progress, stream } = yield* Progress.track(Stream.range(1, 10), { total: 10 })
      const drawing = yield* Effect.forkChild(provide(Progress.render(progress, { label: "items" })))
      yield* Stream.runDrain(stream)
      yield* Fiber.join(drawing)
      assert.isAtLeast(writes.length, 1)
      assert.strictEqual(strip(writes.at(-1)!), full(10, "items"))
      // one line, redrawn in place: each write erases it and goes back to its first column, only the final write ends it
      assert.isTrue(writes.every(inPlace), JSON.stringify(writes))
      assert.isTrue(writes.every((w) => !w.includes("\r")))
      assert.isTrue(writes.slice(0, -1).every((w) => !w.includes("\n")))
      assert.isTrue(writes.at(-1)!.endsWith("\n"))
      // in colours, reset at the end of the line
      const colours = sequences(writes.at(-1)!)
      assert.includeMembers(colours, [GREEN, BOLD])
      assert.strictEqual(colours.at(-1), `${ESC}0m`)
    }))

  it.effect("on a terminal: redrawn at most every 100 ms, and once at the end", () =>
    Effect.gen(function*() {
      const { provide, writes } = tty()
      // done = 0, 1, …, 10, one every 30 ms
      const progress = Stream.range(0, 10).pipe(
        Stream.schedule(Schedule.spaced("30 millis")),
        Stream.map((done): Progress.Progress => ({ done, total: 10 }))
      )
      yield* TestTime.run(provide(Progress.render(progress, { label: "files" })))
      const drawn = writes.map((w) => Number(/ (\d+)\/10 /.exec(strip(w))![1]))
      assert.strictEqual(drawn[0], 0)
      assert.strictEqual(drawn.at(-1), 10)
      assert.strictEqual(strip(writes[0]!), `[${"░".repeat(30)}]   0%  0/10 files`)
      assert.strictEqual(strip(writes.at(-1)!), full(10, "files"))
      // 11 values over 300 ms: far fewer draws, none of the intermediate ones closer than 100 ms
      // (4 values of 30 ms apart)
      assert.isBelow(writes.length, 11)
      for (let i = 1; i < drawn.length - 1; i++) assert.isAtLeast(drawn[i]! - drawn[i - 1]!, 4)
    }))

  it.effect("on a terminal, without a total: the count; the last one again with a newline when the progress ends", () =>
    Effect.gen(function*() {
      const { provide, writes } = tty()
      yield* provide(Progress.render(Stream.make({ done: 3, total: undefined }), { label: "rows" }))
      assert.deepStrictEqual(writes.map(strip), ["3 rows", "3 rows\n"])
    }))

  it.effect("on a terminal, without a total: interrupted when the work is done, it ends the line with the last count", () =>
    Effect.gen(function*() {
      const { provide, writes } = tty()
      const { progress, stream } = yield* Progress.track(Stream.range(1, 7))
      const drawing = yield* Effect.forkChild(provide(Progress.render(progress, { label: "rows" })))
      yield* Effect.yieldNow
      yield* Stream.runDrain(stream)
      yield* Effect.yieldNow
      yield* Fiber.interrupt(drawing)
      assert.isAtLeast(writes.length, 2)
      assert.strictEqual(strip(writes.at(-1)!), "7 rows\n")
      assert.isTrue(writes.slice(0, -1).every((w) => !w.includes("\n")))
    }))

  it.effect("on a terminal, a total of 0: done at once", () =>
    Effect.gen(function*() {
      const { provide, writes } = tty()
      yield* provide(Progress.render(Stream.concat(Stream.make({ done: 0, total: 0 }), Stream.never)))
      assert.deepStrictEqual(writes.map(strip), ["0\n"])
    }))

  it.effect("on a terminal, a count past its total draws a full bar instead of dying", () =>
    Effect.gen(function*() {
      const { provide, writes } = tty()
      const { progress, stream } = yield* Progress.track(Stream.range(1, 5), { total: 3 })
      yield* Stream.runDrain(stream)
      yield* provide(Progress.render(progress, { label: "items" }))
      assert.deepStrictEqual(writes.map(strip), [`[${"█".repeat(30)}] 100% 5/3 items\n`])
    }))
})

describe("dual: track, bar and render data-last", () => {
  it.effect("stream.pipe(Progress.track(options)) counts as Progress.track(stream, options) does", () =>
    Effect.gen(function*() {
      const { progress, stream } = yield* Stream.range(1, 4).pipe(Progress.track({ total: 4 }))
      assert.deepStrictEqual(yield* Stream.runCollect(stream), [1, 2, 3, 4])
      const last = yield* Stream.runHead(progress)
      assert.deepStrictEqual(last._tag === "Some" ? last.value : undefined, { done: 4, total: 4 })
      // no options at all: no total
      const untotalled = yield* Stream.make("a").pipe(Progress.track())
      yield* Stream.runDrain(untotalled.stream)
      const one = yield* Stream.runHead(untotalled.progress)
      assert.deepStrictEqual(one._tag === "Some" ? one.value : undefined, { done: 1, total: undefined })
    }))

  it("Progress.bar(options)(progress) is Progress.bar(progress, options); with no options either way", () => {
    const progress = { done: 1, total: 2 }
    assert.deepStrictEqual(
      Progress.bar({ label: "items", width: 4 })(progress),
      Progress.bar(progress, { label: "items", width: 4 })
    )
    assert.deepStrictEqual(Progress.bar()(progress), Progress.bar(progress))
    assert.strictEqual(Progress.toText(Progress.bar(progress)), `[${"█".repeat(15)}${"░".repeat(15)}]  50% 1/2`)
  })

  it.effect("Stream.map(progress, Progress.bar(options)): every progress as a line", () =>
    Effect.gen(function*() {
      const lines = yield* Stream.make({ done: 1, total: undefined }, { done: 2, total: undefined }).pipe(
        Stream.map(Progress.bar({ label: "rows" })),
        Stream.map(Progress.toText),
        Stream.runCollect
      )
      assert.deepStrictEqual(lines, ["1 rows", "2 rows"])
    }))

  it.effect("progress.pipe(Progress.render(options)) draws as Progress.render(progress, options) does", () =>
    Effect.gen(function*() {
      const piped = tty()
      const direct = tty()
      const progress = Stream.make({ done: 3, total: undefined })
      yield* piped.provide(progress.pipe(Progress.render({ label: "rows" })))
      yield* direct.provide(Progress.render(progress, { label: "rows" }))
      assert.deepStrictEqual(piped.writes, direct.writes)
      assert.deepStrictEqual(piped.writes.map(strip), ["3 rows", "3 rows\n"])
      const bare = notTTY()
      yield* bare.provide(progress.pipe(Progress.render()))
      assert.deepStrictEqual(bare.writes, ["3\n"])
    }))
})

import { assert, describe, it } from "@effect/vitest"
import type * as Recorder from "@fiberkit/sync/Recorder"
import { Gen } from "@fiberkit/testkit"
import * as Chart from "../src/Chart.js"
import { axis, formatDuration, layout, pack } from "../src/internal/chart.js"
import type { Bar } from "../src/internal/chart.js"

// ---------------------------------------------------------------------------------------------
// A strict checker for the subset of XML 1.0 the renderer writes: an optional XML declaration,
// comments, one root element, quoted and unique attributes, balanced tags, only the predefined
// and numeric entities, only characters XML allows. It returns the element tree.
// ---------------------------------------------------------------------------------------------

interface XmlElement {
  readonly name: string
  readonly attrs: ReadonlyMap<string, string>
  readonly children: ReadonlyArray<XmlElement | string>
}

const isXmlChar = (code: number): boolean =>
  code === 0x9 || code === 0xa || code === 0xd || (code >= 0x20 && code <= 0xd7ff) ||
  (code >= 0xe000 && code <= 0xfffd) || (code >= 0x10000 && code <= 0x10ffff)

const parseXml = (text: string): XmlElement => {
  let i = 0
  const fail = (why: string): never => {
    throw new Error(`not well-formed at ${i}: ${why}: ${JSON.stringify(text.slice(i, i + 60))}`)
  }
  // iterating a string yields a lone surrogate as a character of its own
  for (const char of text) {
    if (!isXmlChar(char.codePointAt(0)!)) fail(`character U+${char.codePointAt(0)!.toString(16)}`)
  }
  const decode = (raw: string): string => {
    let out = ""
    for (let j = 0; j < raw.length; j++) {
      const c = raw[j]!
      if (c === "<") fail("< in an attribute value")
      if (c !== "&") {
        out += c
        continue
      }
      const match = /^&(amp|lt|gt|quot|apos|#[0-9]+|#x[0-9a-fA-F]+);/.exec(raw.slice(j))
      if (match === null) return fail(`bad reference ${JSON.stringify(raw.slice(j, j + 10))}`)
      const ref = match[1]!
      if (ref.startsWith("#")) {
        const code = ref.startsWith("#x") ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10)
        if (!isXmlChar(code)) fail(`reference to U+${code.toString(16)}`)
        out += String.fromCodePoint(code)
      } else {
        out += { amp: "&", lt: "<", gt: ">", quot: "\"", apos: "'" }[ref]
      }
      j += match[0].length - 1
    }
    return out
  }
  const skipSpace = () => {
    while (i < text.length && " \t\r\n".includes(text[i]!)) i++
  }
  const name = (): string => {
    const match = /[A-Za-z_:][\w.:-]*/y
    match.lastIndex = i
    const found = match.exec(text)
    if (found === null) return fail("name expected")
    i += found[0].length
    return found[0]
  }
  const comment = () => {
    const end = text.indexOf("-->", i + 4)
    if (end < 0) fail("unterminated comment")
    if (text.slice(i + 4, end).includes("--")) fail("-- in a comment")
    i = end + 3
  }
  const misc = () => {
    for (;;) {
      skipSpace()
      if (text.startsWith("<!--", i)) comment()
      else return
    }
  }
  const element = (): XmlElement => {
    if (text[i] !== "<") fail("< expected")
    i++
    const tag = name()
    const attrs = new Map<string, string>()
    for (;;) {
      const before = i
      skipSpace()
      if (text.startsWith("/>", i)) {
        i += 2
        return { name: tag, attrs, children: [] }
      }
      if (text[i] === ">") {
        i++
        break
      }
      if (i === before) fail("space expected before an attribute")
      const key = name()
      skipSpace()
      if (text[i] !== "=") fail("= expected")
      i++
      skipSpace()
      const quote = text[i]
      if (quote !== "\"" && quote !== "'") fail("unquoted attribute value")
      const end = text.indexOf(quote!, i + 1)
      if (end < 0) fail("unterminated attribute value")
      if (attrs.has(key)) fail(`duplicate attribute ${key}`)
      attrs.set(key, decode(text.slice(i + 1, end)))
      i = end + 1
    }
    const children: Array<XmlElement | string> = []
    for (;;) {
      if (i >= text.length) fail(`<${tag}> not closed`)
      if (text.startsWith("</", i)) {
        i += 2
        const closing = name()
        if (closing !== tag) fail(`</${closing}> closes <${tag}>`)
        skipSpace()
        if (text[i] !== ">") fail("> expected")
        i++
        return { name: tag, attrs, children }
      }
      if (text.startsWith("<!--", i)) comment()
      else if (text.startsWith("<!", i) || text.startsWith("<?", i)) fail("unsupported markup")
      else if (text[i] === "<") children.push(element())
      else {
        const next = text.indexOf("<", i)
        const raw = text.slice(i, next < 0 ? text.length : next)
        if (raw.includes("]]>")) fail("]]> in text")
        children.push(decode(raw))
        i += raw.length
      }
    }
  }
  if (text.startsWith("<?xml")) {
    const end = text.indexOf("?>")
    if (end < 0) fail("unterminated XML declaration")
    if (
      !/^<\?xml version="1\.0"( encoding="[A-Za-z][\w.-]*")?( standalone="(yes|no)")?\s*\?>$/.test(
        text.slice(0, end + 2)
      )
    ) {
      fail("bad XML declaration")
    }
    i = end + 2
  }
  misc()
  const root = element()
  misc()
  if (i !== text.length) fail("content after the root element")
  return root
}

const descendants = (element: XmlElement): Array<XmlElement> =>
  element.children.flatMap((child) => typeof child === "string" ? [] : [child, ...descendants(child)])
const hasClass = (element: XmlElement, name: string) => (element.attrs.get("class") ?? "").split(" ").includes(name)
const byClass = (root: XmlElement, name: string) => descendants(root).filter((element) => hasClass(element, name))
const textOf = (element: XmlElement): string =>
  element.children.map((child) => typeof child === "string" ? child : textOf(child)).join("")
const num = (element: XmlElement, attr: string) => Number(element.attrs.get(attr))
const titleOf = (element: XmlElement) =>
  textOf(element.children.find((c) => typeof c !== "string" && c.name === "title") as XmlElement)

// ---------------------------------------------------------------------------------------------

type Times = Pick<Recorder.TaskRecord, "queuedAt" | "startedAt" | "endedAt">
const rec = (times: Times & Partial<Recorder.TaskRecord>): Recorder.TaskRecord => ({
  source: "FiberPool",
  group: "1",
  lane: "worker 0",
  label: "task",
  outcome: "success",
  ...times
})

/** Three workers, seven tasks, four of which waited (30 + 40 + 50 + 60 ms); the last ends at 100 ms. */
const pool: ReadonlyArray<Recorder.TaskRecord> = [
  rec({ label: "t1", lane: "worker 0", queuedAt: 1000, startedAt: 1000, endedAt: 1040 }),
  rec({ label: "t2", lane: "worker 1", queuedAt: 1000, startedAt: 1000, endedAt: 1060, outcome: "failure" }),
  rec({ label: "t3", lane: "worker 2", queuedAt: 1000, startedAt: 1000, endedAt: 1030, outcome: "interrupted" }),
  rec({ label: "t4", lane: "worker 2", queuedAt: 1000, startedAt: 1030, endedAt: 1070 }),
  rec({ label: "t5", lane: "worker 0", queuedAt: 1000, startedAt: 1040, endedAt: 1080 }),
  rec({ label: "t6", lane: "worker 1", queuedAt: 1010, startedAt: 1060, endedAt: 1100 }),
  rec({ label: "t7", lane: "worker 0", queuedAt: 1020, startedAt: 1080, endedAt: 1095, outcome: "failure" })
]

/** Every bar and wait lies inside the plot area (1e-6 px for the float sum x + width). */
const assertInsidePlot = (root: XmlElement) => {
  const [plot] = byClass(root, "plot-area")
  assert.isDefined(plot)
  const left = num(plot!, "x")
  const right = left + num(plot!, "width")
  const top = num(plot!, "y")
  const bottom = top + num(plot!, "height")
  for (const rect of [...byClass(root, "task"), ...byClass(root, "wait")]) {
    const x = num(rect, "x")
    const y = num(rect, "y")
    assert.isAtLeast(x, left)
    assert.isAtMost(x + num(rect, "width"), right + 1e-6)
    assert.isAtLeast(num(rect, "width"), 0)
    assert.isAtLeast(y, top)
    assert.isAtMost(y + num(rect, "height"), bottom)
  }
}

const ANSI = /\u001b\[[0-9;]*m/g
const strip = (text: string) => text.replace(ANSI, "")
/** The track of a lane line: the `width` cells before the closing `│`. */
const trackOf = (line: string, width: number) => Array.from(line).slice(-width - 1, -1).join("")
const countOf = (text: string, char: string) => Array.from(text).filter((c) => c === char).length

describe("Chart", () => {
  describe("the XML checker", () => {
    it("accepts a well-formed document", () => {
      const root = parseXml(
        `<?xml version="1.0" encoding="UTF-8"?>\n<a x="1" y='&lt;&#x41;'><!-- c --><b/>t &amp; u</a>\n`
      )
      assert.strictEqual(root.attrs.get("y"), "<A")
      assert.strictEqual(textOf(root), "t & u")
    })

    it("rejects what is not well-formed", () => {
      for (
        const bad of [
          "<a><b></a></b>",
          "<a x=1/>",
          "<a x=\"1\" x=\"2\"/>",
          "<a>&foo;</a>",
          "<a>a & b</a>",
          "<a x=\"<\"/>",
          "<a/><b/>",
          "<a>\u0001</a>",
          "<a>\ud800</a>",
          "<a>&#0;</a>",
          "<a",
          "<a></a>text"
        ]
      ) {
        assert.throws(() => parseXml(bad), /not well-formed/, bad)
      }
    })
  })

  describe("svg", () => {
    it("draws one row per worker, one bar per task and one wait per task that waited", () => {
      const root = parseXml(Chart.svg(pool))
      assert.strictEqual(root.name, "svg")
      assert.strictEqual(root.attrs.get("xmlns"), "http://www.w3.org/2000/svg")
      assert.deepStrictEqual(byClass(root, "lane").map((lane) => lane.attrs.get("data-lane")), [
        "FiberPool 1 · worker 0",
        "FiberPool 1 · worker 1",
        "FiberPool 1 · worker 2"
      ])
      assert.deepStrictEqual(byClass(root, "lane-label").map(textOf), [
        "FiberPool 1 · worker 0",
        "FiberPool 1 · worker 1",
        "FiberPool 1 · worker 2"
      ])
      assert.strictEqual(byClass(root, "task").length, 7)
      assert.strictEqual(byClass(root, "wait").length, 4)
      // the bars of a lane are inside its row
      assert.deepStrictEqual(byClass(root, "lane").map((lane) => byClass(lane, "task").length), [3, 2, 2])
      assertInsidePlot(root)
    })

    it("starts time at the earliest queuedAt and writes the summary and the title", () => {
      const root = parseXml(Chart.svg(pool, { title: "Crawl" }))
      assert.strictEqual(textOf(byClass(root, "title")[0]!), "Crawl")
      assert.strictEqual(
        textOf(root.children.find((c) => typeof c !== "string" && c.name === "title") as XmlElement),
        "Crawl"
      )
      assert.strictEqual(
        textOf(byClass(root, "summary")[0]!),
        "7 tasks · 3 lanes · span 100 ms · total wait 180 ms"
      )
      const [plot] = byClass(root, "plot-area")
      const t1 = byClass(root, "task").find((bar) => titleOf(bar).startsWith("t1:"))!
      assert.strictEqual(num(t1, "x"), num(plot!, "x"))
      assert.strictEqual(titleOf(t1), "t1: success, waited 0 ms, ran 40 ms")
      const t7 = byClass(root, "task").find((bar) => titleOf(bar).startsWith("t7:"))!
      assert.strictEqual(titleOf(t7), "t7: failure, waited 60 ms, ran 15 ms")
    })

    it("colours bars by outcome", () => {
      const root = parseXml(Chart.svg(pool))
      const fills = (outcome: string) => new Set(byClass(root, outcome).map((bar) => bar.attrs.get("fill")))
      assert.deepStrictEqual(fills("success"), new Set(["#2da44e"]))
      assert.deepStrictEqual(fills("failure"), new Set(["#cf222e"]))
      assert.deepStrictEqual(fills("interrupted"), new Set(["#d4a72c"]))
      assert.deepStrictEqual(byClass(root, "failure").map(titleOf).map((t) => t.slice(0, 2)).sort(), ["t2", "t7"])
      // waits are hatched with a pattern the document defines
      const pattern = descendants(root).find((element) => element.name === "pattern")!
      for (const wait of byClass(root, "wait")) {
        assert.strictEqual(wait.attrs.get("fill"), `url(#${pattern.attrs.get("id")})`)
      }
      assert.deepStrictEqual(byClass(root, "legend-label").map(textOf), [
        "success",
        "failure",
        "interrupted",
        "waiting"
      ])
    })

    it("writes axis ticks in µs, ms or s by the span", () => {
      const ticks = (span: number) =>
        byClass(parseXml(Chart.svg([rec({ queuedAt: 5, startedAt: 5, endedAt: 5 + span })])), "tick-label").map(textOf)
      assert.deepStrictEqual(ticks(0.5), ["0 µs", "100 µs", "200 µs", "300 µs", "400 µs", "500 µs"])
      assert.deepStrictEqual(ticks(0.03), ["0 µs", "5 µs", "10 µs", "15 µs", "20 µs", "25 µs", "30 µs"])
      assert.deepStrictEqual(ticks(100), ["0 ms", "20 ms", "40 ms", "60 ms", "80 ms", "100 ms"])
      assert.deepStrictEqual(ticks(230), ["0 ms", "50 ms", "100 ms", "150 ms", "200 ms", "250 ms"])
      assert.deepStrictEqual(ticks(3000), ["0 s", "0.5 s", "1 s", "1.5 s", "2 s", "2.5 s", "3 s"])
      assert.deepStrictEqual(ticks(1500), ["0 s", "0.2 s", "0.4 s", "0.6 s", "0.8 s", "1 s", "1.2 s", "1.4 s", "1.6 s"])
      assert.deepStrictEqual(ticks(0), ["0 µs", "0.2 µs", "0.4 µs", "0.6 µs", "0.8 µs", "1 µs"])
    })

    it("puts the ticks at their times: the last at the plot's right edge", () => {
      const root = parseXml(Chart.svg([rec({ queuedAt: 0, startedAt: 0, endedAt: 100 })], { width: 800 }))
      const [plot] = byClass(root, "plot-area")
      const xs = byClass(root, "tick").map((tick) => num(tick, "x1"))
      assert.strictEqual(xs[0], num(plot!, "x"))
      assert.strictEqual(xs.at(-1), num(plot!, "x") + num(plot!, "width"))
      const step = xs[1]! - xs[0]!
      xs.forEach((x, i) => assert.closeTo(x, xs[0]! + i * step, 0.01))
      assert.strictEqual(root.attrs.get("width"), "800")
      assert.strictEqual(root.attrs.get("viewBox"), `0 0 800 ${root.attrs.get("height")}`)
    })

    it("packs records without a lane into the fewest rows, free from the last end", () => {
      const records = [
        rec({ label: "a", lane: undefined, queuedAt: 0, startedAt: 0, endedAt: 40 }),
        rec({ label: "b", lane: undefined, queuedAt: 5, startedAt: 5, endedAt: 30 }),
        rec({ label: "c", lane: undefined, queuedAt: 10, startedAt: 20, endedAt: 50 }),
        rec({ label: "d", lane: undefined, queuedAt: 60, startedAt: 70, endedAt: 90 })
      ]
      const root = parseXml(Chart.svg(records))
      const lanes = byClass(root, "lane")
      assert.deepStrictEqual(lanes.map((lane) => lane.attrs.get("data-lane")), [
        "FiberPool 1 · #1",
        "FiberPool 1 · #2",
        "FiberPool 1 · #3"
      ])
      assert.deepStrictEqual(lanes.map((lane) => byClass(lane, "task").map((bar) => titleOf(bar)[0])), [
        ["a", "d"],
        ["b"],
        ["c"]
      ])
      // a row is free only once its bar has ended by the next record's queuedAt: e is queued at 30
      // while a runs (to 40) and starts at 45, so its wait would cross a's bar: it takes row 2
      const more = layout([...records, rec({ label: "e", lane: undefined, queuedAt: 30, startedAt: 45, endedAt: 55 })])
      assert.deepStrictEqual(more.rows.map((row) => row.bars.map((bar) => bar.label)), [["a", "d"], ["b", "e"], ["c"]])
    })

    it("orders groups by first appearance and lanes naturally", () => {
      const records = [
        rec({ source: "WorkerPool", group: "cpu", lane: "worker 10", queuedAt: 0, startedAt: 0, endedAt: 1 }),
        rec({ source: "FiberPool", group: "1", lane: "worker 2", queuedAt: 0, startedAt: 0, endedAt: 1 }),
        rec({ source: "WorkerPool", group: "cpu", lane: "worker 2", queuedAt: 0, startedAt: 0, endedAt: 1 }),
        rec({ source: "FiberPool", group: "1", lane: undefined, queuedAt: 0, startedAt: 0, endedAt: 1 }),
        rec({ source: "FiberPool", group: "1", lane: "worker 1", queuedAt: 0, startedAt: 0, endedAt: 1 }),
        rec({ source: "WorkerPool", group: "cpu", lane: "worker 02b", queuedAt: 0, startedAt: 0, endedAt: 1 })
      ]
      assert.deepStrictEqual(byClass(parseXml(Chart.svg(records)), "lane").map((lane) => lane.attrs.get("data-lane")), [
        "WorkerPool cpu · worker 2",
        "WorkerPool cpu · worker 02b",
        "WorkerPool cpu · worker 10",
        "FiberPool 1 · worker 1",
        "FiberPool 1 · worker 2",
        "FiberPool 1 · #1"
      ])
    })

    it("escapes text for XML", () => {
      const label = "<&\">' </svg>"
      const text = Chart.svg([rec({ label, source: "S&P", group: "<g>", queuedAt: 0, startedAt: 1, endedAt: 2 })], {
        title: "a < b & \"c\""
      })
      assert.notInclude(text, label)
      assert.include(text, "&lt;&amp;&quot;&gt;&apos; &lt;/svg&gt;")
      const root = parseXml(text)
      assert.strictEqual(textOf(byClass(root, "title")[0]!), "a < b & \"c\"")
      assert.strictEqual(titleOf(byClass(root, "task")[0]!), `${label}: success, waited 1 ms, ran 1 ms`)
      assert.strictEqual(titleOf(byClass(root, "wait")[0]!), `${label}: waited 1 ms`)
      assert.strictEqual(byClass(root, "lane")[0]!.attrs.get("data-lane"), "S&P <g> · worker 0")
    })

    it("replaces characters XML cannot hold", () => {
      const root = parseXml(
        Chart.svg([rec({ label: "a\u0000b\u001b\ud800c\uffff", queuedAt: 0, startedAt: 0, endedAt: 1 })])
      )
      assert.strictEqual(
        titleOf(byClass(root, "task")[0]!),
        "a\ufffdb\ufffd\ufffdc\ufffd: success, waited 0 ms, ran 1 ms"
      )
    })

    it("gives a task of no length a visible bar, and cuts long lane titles", () => {
      const lane = "a lane with a title far too long for the label column of a narrow chart"
      const root = parseXml(Chart.svg([
        rec({ lane, queuedAt: 0, startedAt: 0, endedAt: 100 }),
        rec({ lane, queuedAt: 100, startedAt: 100, endedAt: 100 })
      ], { width: 200 }))
      assert.strictEqual(root.attrs.get("width"), "320")
      const widths = byClass(root, "task").map((bar) => num(bar, "width"))
      assert.isAtLeast(Math.min(...widths), 1)
      const [label] = byClass(root, "lane-label")
      assert.isTrue(textOf(label!).includes("…"))
      assert.strictEqual(titleOf(label!), `FiberPool 1 · ${lane}`)
      assertInsidePlot(root)
    })

    it("says so when there is nothing to draw", () => {
      const root = parseXml(Chart.svg([]))
      assert.strictEqual(root.name, "svg")
      assert.include(textOf(root), "no tasks recorded")
      assert.strictEqual(byClass(root, "task").length, 0)
      assert.include(
        textOf(parseXml(Chart.svg([rec({ queuedAt: NaN, startedAt: 0, endedAt: 1 })]))),
        "no tasks recorded"
      )
    })
  })

  describe("terminal", () => {
    it("writes a summary, a header, a line per lane and a legend", () => {
      const lines = Chart.terminal(pool).split("\n")
      assert.strictEqual(lines.length, 3 + 3)
      assert.strictEqual(lines[0], "7 tasks · 3 lanes · span 100 ms · total wait 180 ms")
      assert.match(lines[1]!, /^ +0 ms +100 ms$/)
      assert.deepStrictEqual(lines.slice(2, 5).map((line) => line.slice(0, line.indexOf(" │"))), [
        "FiberPool 1 · worker 0",
        "FiberPool 1 · worker 1",
        "FiberPool 1 · worker 2"
      ])
      assert.strictEqual(lines[5], "█ success  x failure  ▒ interrupted  · waiting")
      for (const line of lines.slice(2, 5)) assert.strictEqual(Array.from(trackOf(line, 60)).length, 60)
      // the header's labels line up with the track: "0 ms" over its first cell, "100 ms" ending over its last
      assert.strictEqual(lines[1]!.indexOf("0 ms"), lines[2]!.indexOf("│") + 1)
      assert.strictEqual(lines[1]!.length, lines[2]!.lastIndexOf("│"))
    })

    it("fills cells in proportion to time", () => {
      const lines = Chart.terminal([
        rec({ lane: "a", queuedAt: 0, startedAt: 0, endedAt: 50 }),
        rec({ lane: "b", queuedAt: 0, startedAt: 0, endedAt: 100, outcome: "interrupted" }),
        rec({ lane: "c", queuedAt: 0, startedAt: 50, endedAt: 75, outcome: "failure" })
      ]).split("\n")
      assert.strictEqual(trackOf(lines[2]!, 60), "█".repeat(30) + " ".repeat(30))
      assert.strictEqual(trackOf(lines[3]!, 60), "▒".repeat(60))
      assert.strictEqual(trackOf(lines[4]!, 60), "·".repeat(30) + "x".repeat(15) + " ".repeat(15))
      // at 20 cells the summary no longer fits on one line: it wraps
      const narrow = Chart.terminal([
        rec({ lane: "a", queuedAt: 0, startedAt: 0, endedAt: 50 }),
        rec({ lane: "b", queuedAt: 0, startedAt: 0, endedAt: 100 })
      ], { width: 20 }).split("\n")
      assert.deepStrictEqual(narrow.slice(0, 2), ["2 tasks · 2 lanes · span 100 ms", "total wait 0 ms"])
      const lanes = narrow.filter((line) => line.endsWith("│"))
      assert.deepStrictEqual(lanes.map((line) => countOf(trackOf(line, 20), "█")), [10, 20])
    })

    it("shows a task shorter than a cell in one cell, a failure over a success", () => {
      const lines = Chart.terminal([
        rec({ queuedAt: 0, startedAt: 0, endedAt: 1000 }),
        rec({ queuedAt: 500, startedAt: 500, endedAt: 500.001, outcome: "failure" })
      ]).split("\n")
      assert.strictEqual(trackOf(lines[2]!, 60), "█".repeat(30) + "x" + "█".repeat(29))
    })

    it("colours with ANSI escapes only when asked", () => {
      const plain = Chart.terminal(pool)
      assert.notMatch(plain, ANSI)
      assert.notInclude(plain, "\u001b")
      const colored = Chart.terminal(pool, { color: true })
      assert.match(colored, /\u001b\[32m█+\u001b\[0m/)
      assert.match(colored, /\u001b\[31mx+\u001b\[0m/)
      assert.match(colored, /\u001b\[33m▒+\u001b\[0m/)
      assert.strictEqual(strip(colored), plain)
    })

    it("says so when there is nothing to draw", () => {
      assert.strictEqual(Chart.terminal([]), "no tasks recorded")
    })
  })

  describe("layout", () => {
    it("writes durations in their unit", () => {
      assert.deepStrictEqual([0, 0.00042, 0.85, 12.5, 999.4, 0.9996, 1500, 61_000].map(formatDuration), [
        "0 ms",
        "0.42 µs",
        "850 µs",
        "12.5 ms",
        "999 ms",
        "1 ms",
        "1.5 s",
        "61 s"
      ])
    })

    it.prop("the axis has 5 to 10 ticks, 1, 2 or 5 × 10^k apart, from 0 past the span", [
      Gen.oneof(
        Gen.double({ min: 0, max: 1e7, noNaN: true }),
        Gen.integer({ min: 0, max: 100_000 }),
        Gen.integer({ min: 0, max: 1000 }).pipe(Gen.map((n) => n / 1000))
      )
    ], ([span]) => {
      const { end, ticks, unit } = axis(span)
      assert.isAtLeast(ticks.length, 5)
      assert.isAtMost(ticks.length, 10)
      assert.strictEqual(ticks[0]!.at, 0)
      assert.strictEqual(ticks.at(-1)!.at, end)
      assert.isAtLeast(end, span * (1 - 1e-9))
      const step = ticks[1]!.at
      const mantissa = step / 10 ** Math.floor(Math.log10(step) + 1e-9)
      assert.isTrue([1, 2, 5].some((m) => Math.abs(mantissa - m) < 1e-6), `step ${step}`)
      ticks.forEach((tick, i) => assert.closeTo(tick.at, i * step, step * 1e-6))
      assert.strictEqual(new Set(ticks.map((tick) => tick.label)).size, ticks.length)
      for (const tick of ticks) assert.isTrue(tick.label.endsWith(` ${unit}`))
    }, { arbitrary: { runs: 200 } })

    it.prop("packing: no row holds overlapping tasks, and no more rows than tasks at once", [
      Gen.array(
        Gen.tuple(
          Gen.integer({ min: 0, max: 100 }),
          Gen.integer({ min: 0, max: 20 }),
          Gen.integer({ min: 0, max: 30 })
        ),
        { maxLength: 40 }
      )
    ], ([times]) => {
      const bars: Array<Bar> = times.map(([queued, wait, run], i) => ({
        record: rec({ queuedAt: queued, startedAt: queued + wait, endedAt: queued + wait + run }),
        label: String(i),
        queued,
        started: queued + wait,
        ended: queued + wait + run
      }))
      const rows = pack(bars)
      assert.strictEqual(rows.flat().length, bars.length)
      for (const row of rows) {
        for (let i = 1; i < row.length; i++) assert.isAtMost(row[i - 1]!.ended, row[i]!.queued)
      }
      // tasks waiting or running at one instant need a row each; greedy by queuedAt needs no more
      // than the tasks in the way of the one that opened the last row
      const busyAt = (t: number) => bars.filter((bar) => bar.queued <= t && t < bar.ended).length
      const inTheWay = (bar: Bar) =>
        1 + bars.filter((c) => c !== bar && c.queued <= bar.queued && bar.queued < c.ended).length
      assert.isAtLeast(rows.length, Math.max(0, ...bars.map((bar) => busyAt(bar.queued))))
      assert.isAtMost(rows.length, Math.max(0, ...bars.map(inTheWay)))
    }, { arbitrary: { runs: 200 } })
  })

  const outcome = Gen.constantFrom<Recorder.Outcome>("success", "failure", "interrupted")
  // any code point but the surrogates (what fast-check's `unit: "binary"` drew): control
  // characters, U+FFFE and U+FFFF, which XML forbids, and astral ones, each range drawn as often
  const codePoint = Gen.oneof(
    Gen.integer({ min: 0, max: 0x7f }),
    Gen.integer({ min: 0, max: 0xd7ff }),
    Gen.integer({ min: 0xe000, max: 0xffff }),
    Gen.integer({ min: 0x10000, max: 0x10ffff })
  )
  const binaryString = (maxLength: number) =>
    Gen.array(codePoint, { maxLength }).pipe(Gen.map((points) => String.fromCodePoint(...points)))
  const records = Gen.tuple(
    Gen.constantFrom(0.001, 1, 1000),
    Gen.array(
      Gen.record({
        source: Gen.oneof(
          Gen.constantFrom("FiberPool", "WorkerPool"),
          binaryString(60)
        ),
        group: Gen.constantFrom("1", "2", "api"),
        lane: Gen.option(Gen.integer({ min: 0, max: 12 }).pipe(Gen.map((n) => `worker ${n}`)), { nil: undefined }),
        label: binaryString(20),
        queuedAt: Gen.integer({ min: 0, max: 1000 }),
        wait: Gen.oneof(Gen.constant(0), Gen.integer({ min: 1, max: 100 })),
        run: Gen.integer({ min: 0, max: 500 }),
        outcome
      }),
      { maxLength: 40 }
    )
  ).pipe(Gen.map(([scale, raw]) =>
    raw.map(({ queuedAt, run, wait, ...rest }): Recorder.TaskRecord => ({
      ...rest,
      queuedAt: queuedAt * scale,
      startedAt: (queuedAt + wait) * scale,
      endedAt: (queuedAt + wait + run) * scale
    }))
  ))

  it.prop("svg: well-formed, one bar per record, one wait per wait, all inside the plot", [
    records,
    Gen.integer({ min: 0, max: 2000 })
  ], ([records, width]) => {
    const root = parseXml(Chart.svg(records, { width }))
    assert.strictEqual(byClass(root, "task").length, records.length)
    assert.strictEqual(byClass(root, "wait").length, records.filter((r) => r.startedAt > r.queuedAt).length)
    assert.strictEqual(num(root, "width"), Math.max(320, width))
    if (records.length > 0) assertInsidePlot(root)
    // in packed rows a wait never overlaps a bar (beyond the minimal width of a bar of no length)
    for (const lane of byClass(root, "lane").filter((lane) => / · #\d+$/.test(lane.attrs.get("data-lane")!))) {
      for (const wait of byClass(lane, "wait")) {
        for (const bar of byClass(lane, "task")) {
          const overlap = Math.min(num(wait, "x") + num(wait, "width"), num(bar, "x") + num(bar, "width")) -
            Math.max(num(wait, "x"), num(bar, "x"))
          assert.isAtMost(overlap, 1 + 1e-6)
        }
      }
    }
  }, { arbitrary: { runs: 100 } })

  it.prop("terminal: every lane gets exactly `width` cells and no line is wider than a lane line", [
    records,
    Gen.integer({ min: 0, max: 120 }),
    Gen.boolean
  ], ([records, width, color]) => {
    const text = Chart.terminal(records, { width, color })
    if (records.length === 0) return assert.strictEqual(text, "no tasks recorded")
    const lines = strip(text).split("\n")
    const cells = Math.max(20, width)
    const lanes = lines.filter((line) => line.endsWith("│"))
    assert.strictEqual(lanes.length, layout(records).rows.length)
    const lineWidth = Array.from(lanes[0]!).length
    assert.isAtMost(lineWidth, 40 + cells + 3)
    for (const line of lines) assert.isAtMost(Array.from(line).length, lineWidth)
    for (const line of lanes) {
      assert.strictEqual(Array.from(line).length, lineWidth)
      assert.match(trackOf(line, cells), new RegExp(`^[█x▒· ]{${cells}}$`, "u"))
    }
    const tracks = lanes.map((line) => trackOf(line, cells)).join("")
    assert.isAtLeast(tracks.replace(/[· ]/g, "").length, lanes.length)
    if (!color) assert.notInclude(text, "\u001b")
  }, { arbitrary: { runs: 100 } })
})

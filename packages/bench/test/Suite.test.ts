import { assert, describe, it } from "@effect/vitest"
import { median, rotate } from "../src/internal/stats.js"
import * as Report from "../src/Report.js"
import * as Suite from "../src/Suite.js"

describe("stats", () => {
  it("median of odd and even counts, and of none", () => {
    assert.strictEqual(median([3, 1, 2]), 2)
    assert.strictEqual(median([4, 1, 3, 2]), 2.5)
    assert.isNaN(median([]))
  })

  it("rotate moves the first k items to the end", () => {
    assert.deepStrictEqual(rotate(["a", "b", "c"], 1), ["b", "c", "a"])
    assert.deepStrictEqual(rotate(["a", "b", "c"], 4), ["b", "c", "a"])
    assert.deepStrictEqual(rotate([], 2), [])
  })
})

describe("Suite.run", () => {
  it("measures every contender in every round and computes ratios to the reference", async () => {
    const calls: Array<string> = []
    const result = await Suite.run({
      title: "tiny",
      operations: 10,
      reference: "b",
      rounds: 2,
      time: 1,
      iterations: 2,
      contenders: [
        { name: "a", run: () => calls.push("a") },
        { name: "b", run: () => calls.push("b") }
      ]
    })
    assert.deepStrictEqual(result.rows.map((r) => r.name), ["a", "b"])
    assert.strictEqual(result.reference, "b")
    assert.strictEqual(result.rows[1]!.ratio, 1)
    for (const row of result.rows) {
      assert.isAtLeast(row.samples, 4)
      assert.closeTo(row.perOperation, (row.median * 1000) / 10, 1e-9)
    }
    // rotated order: round 1 starts with "a", round 2 with "b" (after any warm-up calls)
    assert.include(calls.join(""), "ab")
    assert.include(calls.join(""), "ba")
  })

  it("runs beforeEach and afterEach around every run, outside the timed part", async () => {
    const calls: Array<string> = []
    const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
    // runs of 130 ms: two of them fill tinybench's 250 ms of warm-up
    const result = await Suite.run({
      title: "hooks",
      rounds: 1,
      time: 1,
      iterations: 2,
      contenders: [{
        name: "a",
        beforeEach: () => sleep(100).then(() => calls.push("before")),
        run: () => sleep(130).then(() => calls.push("run")),
        afterEach: () => sleep(100).then(() => calls.push("after"))
      }]
    })
    // the warm-up runs and the measured ones alike, and no run without its hooks
    assert.strictEqual(calls.length, 12)
    for (let i = 0; i < calls.length; i += 3) assert.deepStrictEqual(calls.slice(i, i + 3), ["before", "run", "after"])
    assert.isBelow(result.rows[0]!.median, 200)
  })

  it("rejects a suite without contenders, with a repeated name, or with an unknown reference", async () => {
    await assertRejects(Suite.run({ title: "empty", contenders: [] }), /no contenders/)
    const noop = { name: "x", run: () => undefined }
    await assertRejects(Suite.run({ title: "twice", contenders: [noop, noop] }), /repeats a contender name/)
    await assertRejects(Suite.run({ title: "ref", reference: "y", contenders: [noop] }), /no contender named "y"/)
  })
})

describe("Report", () => {
  const result: Suite.Result = {
    suite: { title: "100 tasks", description: "What it measures.", contenders: [] },
    reference: "ours",
    rows: [
      { name: "ours", median: 12.345, perOperation: 123.45, ratio: 1, samples: 20 },
      { name: "peer", median: 0.5, perOperation: 5, ratio: 0.0405, samples: 30 }
    ]
  }

  it("formats a markdown table with medians, per-operation times and ratios", () => {
    assert.strictEqual(
      Report.table(result),
      [
        "### 100 tasks",
        "",
        "What it measures.",
        "",
        "| contender | median per run (ms) | per operation (µs) | ratio to ours | samples |",
        "| --- | ---: | ---: | ---: | ---: |",
        "| ours | 12.3 | 123 | 1.00× | 20 |",
        "| peer | 0.500 | 5.00 | 0.04× | 30 |"
      ].join("\n")
    )
  })

  it("heads a section with the source, the date and the machine", () => {
    const text = Report.section("packages/x/bench/a.bench.ts", [result], new Date("2026-01-02T03:04:05Z"))
    assert.match(
      text,
      /^## packages\/x\/bench\/a\.bench\.ts — 2026-01-02 03:04 UTC\n\nMachine: .+ × \d+ cores, \d+ GiB, Node v\d+/
    )
    assert.include(text, "### 100 tasks")
  })

  it("finds the workspace root from inside a package", () => {
    assert.match(Report.workspaceRoot(__dirname), /[^/]$/)
    assert.notInclude(Report.workspaceRoot(__dirname), "packages")
  })
})

const assertRejects = async (promise: Promise<unknown>, pattern: RegExp) => {
  try {
    await promise
  } catch (error) {
    assert.match(String(error), pattern)
    return
  }
  assert.fail(`expected a rejection matching ${pattern}`)
}

import { assert, describe, it } from "@effect/vitest"
import { execFile } from "node:child_process"
import * as path from "node:path"
import { promisify } from "node:util"
import { examples, title } from "../demo.js"

const run = promisify(execFile)
const dir = path.join(__dirname, "..")

/** Asserts that `lines` appear in `stdout` in this order. */
const inOrder = (stdout: string, lines: ReadonlyArray<string>) => {
  const all = stdout.split("\n")
  const positions = lines.map((line) => all.indexOf(line))
  assert.isTrue(positions.every((p) => p >= 0), `missing one of ${JSON.stringify(lines)} in:\n${stdout}`)
  assert.deepStrictEqual([...positions].sort((a, b) => a - b), positions, `out of order in:\n${stdout}`)
}

/**
 * Each example's smoke test: its key output line, and what else it must show. An example
 * without an entry here fails the suite, so every new example comes with its smoke test.
 */
const checks: Record<string, (stdout: string) => void> = {
  "01-basic-threads.ts": (stdout) => {
    // Task-C takes 2 s; the three tasks overlap, so the total is near 2 s, far below their 4.5 s sum.
    assert.match(stdout, /^Total: 2\.\d\ds for 3 tasks that take 4\.50s one after another — they overlapped/m)
    // Both forked workers are joined before the next part starts; the shorter one ends first.
    inOrder(stdout, ["Worker Thread-2 completed!", "Worker Thread-1 completed!", "Several tasks at once:"])
  }
}

describe("examples", () => {
  it("every example has a smoke test and a title", () => {
    assert.deepStrictEqual([...examples()], Object.keys(checks).sort())
    for (const file of examples()) assert.notStrictEqual(title(file), file)
  })

  for (const [file, check] of Object.entries(checks)) {
    it(`${file} runs and prints its key line`, async () => {
      const { stdout } = await run(process.execPath, ["--import", "tsx", path.join(dir, file)], { cwd: dir })
      check(stdout)
    }, 30_000)
  }
})

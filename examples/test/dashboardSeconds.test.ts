/**
 * Review regression tests (issue 27, second round): each failed before its fix (checked by
 * stashing `src/`).
 *
 * Review (round 2) of `examples/20-dashboard.ts`: it checks `--seconds` ("must be a number of
 * seconds from 0 to 86400") with `Number(...)`, then sleeps `${seconds} seconds` — a Duration
 * string. A small number that JavaScript prints in exponent form (1e-7) passes the check and the
 * program dies with a defect (`Error: Invalid Input: 1e-7 seconds`, a stack trace) after it has
 * started listening, instead of the example's own message.
 */
import { assert, describe, it } from "@effect/vitest"
import { spawnSync } from "node:child_process"
import * as path from "node:path"

const root = path.join(__dirname, "..", "..")

describe("review2: examples/20-dashboard.ts --seconds", () => {
  it("--seconds 1e-7 is refused with the example's own message", () => {
    const result = spawnSync(process.execPath, ["--import", "tsx", "examples/20-dashboard.ts", "--seconds", "1e-7"], {
      cwd: root,
      encoding: "utf8",
      timeout: 60_000
    })
    assert.notStrictEqual(result.status, 0)
    assert.include(result.stderr, "--seconds must be", result.stdout + result.stderr)
  }, 70_000)
})

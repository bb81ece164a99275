/**
 * Review regression tests (issue 27, second round): each failed before its fix (checked by
 * stashing `src/`).
 *
 * Review (round 2) of `ChildScript.start`: "Ready once it prints its ready line; … killed
 * (SIGKILL) when the scope closes." The wait for the ready line runs inside `acquireRelease`'s
 * acquire, which is uninterruptible: a timeout (or the test's own interruption) cannot stop the
 * wait, and the child that never says ready is not killed — the caller waits until the child
 * exits on its own (for ever, for a server stuck before its ready line), and the child lives on.
 *
 * Deterministic: the child writes a file 2 s after it starts, if it is still alive then.
 */
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { existsSync, mkdtempSync } from "node:fs"
import { tmpdir } from "node:os"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import * as ChildScript from "../src/ChildScript.js"

const here = path.dirname(fileURLToPath(import.meta.url))

describe("review2: ChildScript", () => {
  it.live(
    "a start still waiting for its ready line is interrupted by a timeout, and its child killed",
    () =>
      Effect.gen(function*() {
        const marker = path.join(mkdtempSync(path.join(tmpdir(), "childscript-")), "alive")
        yield* Effect.exit(
          Effect.scoped(ChildScript.start(path.join(here, "fixtures", "neverReady.ts"), [marker])).pipe(
            Effect.timeout("300 millis")
          )
        )
        // interrupted at 300 ms and killed, the child never reaches its 2-second mark
        assert.isFalse(existsSync(marker), "the child outlived the timeout of its start (it was not killed)")
      }),
    10_000
  )
})

import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import * as Recorder from "../src/Recorder.js"

describe("Recorder.groupName", () => {
  // Before 1.0 it was a plain function that took a number when called, outside any effect
  it.effect("is an effect: building it takes no number; each run takes the next; a name takes none", () =>
    Effect.gen(function*() {
      const source = `test-source-${Math.random()}`
      const name = Recorder.groupName(source, undefined)
      Recorder.groupName(source, undefined) // built, never run
      assert.strictEqual(yield* name, "1")
      assert.strictEqual(yield* Recorder.groupName(source, "images"), "images")
      assert.strictEqual(yield* name, "2")
    }))
})

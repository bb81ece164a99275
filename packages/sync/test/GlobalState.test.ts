/**
 * Module state lives behind `globalValue`, so two loaded copies of the package (two versions
 * deduplicated differently, a bundle next to the source) share one lock order and one notion of
 * who holds what. The second copy is loaded for real: after `vi.resetModules()`, importing the
 * package again evaluates every module of it anew (effect, external, stays one copy).
 */
import { assert, describe, it, vi } from "@effect/vitest"
import { Cause, Effect, Exit, Option } from "effect"
import { globalValue } from "effect/GlobalValue"
import * as internal from "../src/internal/lockOrder.js"
import * as owner from "../src/internal/owner.js"
import * as Lock from "../src/Lock.js"
import * as LockOrder from "../src/LockOrder.js"
import * as Recorder from "../src/Recorder.js"

/** A second, freshly evaluated copy of the package and its lock-order module. */
const loadCopy = async () => {
  vi.resetModules()
  const copy = await import("../src/index.js")
  const internalCopy = await import("../src/internal/lockOrder.js")
  assert.notStrictEqual(copy.Lock.make, Lock.make, "resetModules must load a second instance")
  assert.notStrictEqual(internalCopy.nextRank, internal.nextRank, "resetModules must load a second instance")
  return { copy, internalCopy }
}

const notMine = () => {
  throw new Error("globalValue computed a value the module should already have stored")
}

describe.sequential("module state behind globalValue", () => {
  it("each piece of state is reachable under its key", () => {
    assert.strictEqual(globalValue(Symbol.for("@fiberkit/sync/LockOrder/lastRank"), notMine), internal.lastRank)
    assert.strictEqual(
      globalValue(Symbol.for("@fiberkit/sync/LockOrder/currentDetector"), notMine),
      internal.currentDetector
    )
    assert.strictEqual(globalValue(Symbol.for("@fiberkit/sync/LockOrder/heldLocks"), notMine), internal.heldLocks)
    assert.strictEqual(globalValue(Symbol.for("@fiberkit/sync/Lock/holds"), notMine), owner.holds)
    assert.strictEqual(
      globalValue(Symbol.for("@fiberkit/sync/Recorder/currentRecorder"), notMine),
      Recorder.currentRecorder
    )
    assert.instanceOf(globalValue(Symbol.for("@fiberkit/sync/Recorder/groupNumbers"), notMine), Map)
  })

  it("a second copy of the package keeps counting ranks where the first one is", async () => {
    const { internalCopy: copy } = await loadCopy()
    const ranks = [internal.nextRank(), copy.nextRank(), internal.nextRank(), copy.nextRank()]
    for (let i = 1; i < ranks.length; i++) assert.isAbove(ranks[i]!, ranks[i - 1]!)
    assert.strictEqual(copy.currentDetector, internal.currentDetector)
    assert.strictEqual(copy.heldLocks, internal.heldLocks)
  })

  it.effect("locks of two copies share one order: the detector of one sees the locks of the other", () =>
    Effect.gen(function*() {
      const { copy } = yield* Effect.promise(loadCopy)
      const a = yield* Lock.make({ name: "a" })
      const b = yield* copy.Lock.make({ name: "b" })
      yield* a.withLock(b.withLock(Effect.void))
      const exit = yield* Effect.exit(b.withLock(a.withLock(Effect.void)))
      const defect = Exit.isFailure(exit) ? Cause.dieOption(exit.cause) : Option.none()
      assert.isTrue(Option.isSome(defect) && (defect.value as { _tag?: string })._tag === "LockOrderViolation")
      assert.isAbove(b.rank, a.rank)
    }).pipe(Effect.provide(LockOrder.Detector)))
})

/**
 * Module state is shared by two loaded copies of the package (two versions deduplicated
 * differently, a bundle next to the source), so that they keep one lock order. Plain state lives
 * on `globalThis` under `Symbol.for` keys, and context References are looked up by their string
 * key, so the References of two copies read and write the same entry. (Who holds a lock is kept
 * in the lock itself, so there is no module state for it.) The second copy is loaded for real:
 * after `vi.resetModules()`, importing the package again evaluates every module of it anew
 * (effect, external, stays one copy).
 */
import { assert, describe, it, vi } from "@effect/vitest"
import { Cause, Context, Effect, Exit, Result } from "effect"
import * as internal from "../src/internal/lockOrder.js"
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

/** The value stored on `globalThis` under `Symbol.for(key)`. */
const globalState = (key: string): unknown => (globalThis as Record<symbol, unknown>)[Symbol.for(key)]

describe("module state shared by every loaded copy", { concurrent: false }, () => {
  it("each piece of state is reachable under its key", () => {
    assert.strictEqual(globalState("@fiberkit/sync/LockOrder/lastRank"), internal.lastRank)
    assert.instanceOf(globalState("@fiberkit/sync/LockOrder/ownHolds"), WeakMap)
    assert.instanceOf(globalState("@fiberkit/sync/Recorder/groupNumbers"), Map)
    assert.strictEqual(internal.currentDetector.key, "@fiberkit/sync/LockOrder/currentDetector")
    assert.strictEqual(internal.passedOn.key, "@fiberkit/sync/LockOrder/passedOn")
    assert.strictEqual(Recorder.currentRecorder.key, "@fiberkit/sync/Recorder/currentRecorder")
  })

  it("a second copy of the package keeps counting ranks where the first one is", async () => {
    const { internalCopy: copy } = await loadCopy()
    const ranks = [internal.nextRank(), copy.nextRank(), internal.nextRank(), copy.nextRank()]
    for (let i = 1; i < ranks.length; i++) assert.isAbove(ranks[i]!, ranks[i - 1]!)
    assert.strictEqual(copy.lastRank, internal.lastRank)
    // one context entry for both copies' References: what one provides, the other reads
    const detector = new internal.Detector()
    assert.strictEqual(Context.get(Context.make(internal.currentDetector, detector), copy.currentDetector), detector)
    const holds = [{ lock: Lock.unsafeMake(), released: false }]
    assert.strictEqual(Context.get(Context.make(copy.passedOn, holds), internal.passedOn), holds)
  })

  it.effect("locks of two copies share one order: the detector of one sees the locks of the other", () =>
    Effect.gen(function*() {
      const { copy } = yield* Effect.promise(loadCopy)
      const a = yield* Lock.make({ name: "a" })
      const b = yield* copy.Lock.make({ name: "b" })
      yield* a.withLock(b.withLock(Effect.void))
      const exit = yield* Effect.exit(b.withLock(a.withLock(Effect.void)))
      const defect = Exit.isFailure(exit) ? Cause.findDefect(exit.cause) : undefined
      assert.isTrue(
        defect !== undefined && Result.isSuccess(defect) &&
          (defect.success as { _tag?: string })._tag === "LockOrderViolation"
      )
      assert.isAbove(b.rank, a.rank)
    }).pipe(Effect.provide(LockOrder.Detector)))
})

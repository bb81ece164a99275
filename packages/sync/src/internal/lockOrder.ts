import * as Effect from "effect/Effect"
import type * as Fiber from "effect/Fiber"
import * as FiberRef from "effect/FiberRef"
import * as Layer from "effect/Layer"
import { LockOrderViolation } from "../Errors.js"
import type * as Api from "../LockOrder.js"
import { fiberKey, fiberName } from "./owner.js"

/** @internal */
export const LockableTypeId: Api.LockableTypeId = Symbol.for("@fiberkit/sync/Lockable") as Api.LockableTypeId

let lastRank = 0

/** The next creation rank: locks made earlier rank lower. @internal */
export const nextRank = (): number => ++lastRank

interface Edge {
  readonly to: Api.Lockable
  readonly fiber: string
}

/**
 * The "taken while holding" graph: an edge A → B means some fiber acquired B while holding A.
 *
 * @internal
 */
export class Detector {
  private readonly edges = new Map<Api.Lockable, Map<Api.Lockable, Edge>>()

  /** A path from `from` to `to` along recorded edges, or undefined. */
  private path(from: Api.Lockable, to: Api.Lockable): Array<Edge> | undefined {
    const previous = new Map<Api.Lockable, { readonly node: Api.Lockable; readonly edge: Edge }>()
    const seen = new Set<Api.Lockable>([from])
    const queue: Array<Api.Lockable> = [from]
    for (let i = 0; i < queue.length; i++) {
      const node = queue[i]!
      if (node === to) {
        const edges: Array<Edge> = []
        for (let at = to; at !== from;) {
          const step = previous.get(at)!
          edges.unshift(step.edge)
          at = step.node
        }
        return edges
      }
      for (const [next, edge] of this.edges.get(node) ?? []) {
        if (!seen.has(next)) {
          seen.add(next)
          previous.set(next, { node, edge })
          queue.push(next)
        }
      }
    }
    return undefined
  }

  /**
   * Checks the acquisition of `acquiring` by a fiber holding `held` (in the order taken): if
   * some held lock H is reachable from `acquiring`, adding H → acquiring closes a cycle.
   * Otherwise records the new edges.
   */
  check(fiber: string, held: ReadonlyArray<Api.Lockable>, acquiring: Api.Lockable): LockOrderViolation | undefined {
    const holding = held.map((lock) => lock.name)
    if (held.includes(acquiring)) {
      return new LockOrderViolation({
        fiber,
        acquiring: acquiring.name,
        holding,
        recordedOrder: [acquiring.name, acquiring.name],
        recordedBy: [fiber]
      })
    }
    for (const lock of held) {
      const path = this.path(acquiring, lock)
      if (path !== undefined) {
        return new LockOrderViolation({
          fiber,
          acquiring: acquiring.name,
          holding,
          recordedOrder: [acquiring.name, ...path.map((edge) => edge.to.name)],
          recordedBy: path.map((edge) => edge.fiber)
        })
      }
    }
    for (const lock of held) {
      let out = this.edges.get(lock)
      if (out === undefined) this.edges.set(lock, out = new Map())
      if (!out.has(acquiring)) out.set(acquiring, { to: acquiring, fiber })
    }
    return undefined
  }
}

/** The detector in force for a fiber, if any. @internal */
export const currentDetector: FiberRef.FiberRef<Detector | undefined> = FiberRef.unsafeMake<Detector | undefined>(
  undefined
)

/**
 * A lock held by a fiber: `own` when the fiber took it itself; else its parent (or an ancestor)
 * held it when the fiber was forked.
 */
interface Held {
  readonly lock: Api.Lockable
  readonly own: boolean
}

/**
 * The locks a fiber holds, in the order it took them (kept only while a detector is in force).
 *
 * A forked fiber starts with its parent's locks, marked as inherited: a parent usually waits
 * for its children while it holds them (`Effect.all`, `Effect.timeout`, `Effect.race` …), so
 * what a child takes counts as taken while holding those. When a parent joins a child, the
 * locks the child took and did not release become the parent's.
 *
 * @internal
 */
export const heldLocks: FiberRef.FiberRef<ReadonlyArray<Held>> = FiberRef.unsafeMake<ReadonlyArray<Held>>([], {
  fork: (held) => held.some((h) => h.own) ? held.map((h) => (h.own ? { lock: h.lock, own: false } : h)) : held,
  join: (parent, child) => {
    const adopted = child.filter((h) => h.own && !parent.some((p) => p.lock === h.lock))
    return adopted.length === 0 ? parent : [...parent, ...adopted]
  }
})

/**
 * Before `fiber` waits for `lock`: a violation to die with, if the detector finds one. Costs one
 * FiberRef read when no detector is in force.
 *
 * @internal
 */
export const beforeAcquire = (
  fiber: Fiber.RuntimeFiber<unknown, unknown>,
  lock: Api.Lockable
): LockOrderViolation | undefined => {
  const detector = fiber.getFiberRef(currentDetector)
  if (detector === undefined) return undefined
  const held = fiber.getFiberRef(heldLocks)
  // taking a lock one's parent holds is only waiting for the parent: not a self-deadlock by itself
  const own = held.some((h) => h.own && h.lock === lock)
  return detector.check(
    fiberName(fiberKey(fiber)),
    held.filter((h) => h.lock !== lock || own).map((h) => h.lock),
    lock
  )
}

/** Records that the running fiber took `lock` (only while a detector is in force). @internal */
export const afterAcquire = (fiber: Fiber.RuntimeFiber<unknown, unknown>, lock: Api.Lockable): Effect.Effect<void> =>
  fiber.getFiberRef(currentDetector) === undefined
    ? Effect.void
    : FiberRef.update(heldLocks, (held) => [...held, { lock, own: true }])

/**
 * Records that the running fiber let go of `lock`. Also runs after the detector's scope has
 * ended, so that no stale entry is left for a later detector.
 *
 * @internal
 */
export const afterRelease = (fiber: Fiber.RuntimeFiber<unknown, unknown>, lock: Api.Lockable): Effect.Effect<void> =>
  fiber.getFiberRef(heldLocks).length === 0
    ? Effect.void
    : FiberRef.update(heldLocks, (held) => {
      let at = -1
      for (let i = held.length - 1; i >= 0 && at < 0; i--) if (held[i]!.lock === lock && held[i]!.own) at = i
      return at < 0 ? held : [...held.slice(0, at), ...held.slice(at + 1)]
    })

/** @internal */
export const detectorLayer: Layer.Layer<never> = Layer.scopedDiscard(
  Effect.suspend(() => Effect.locallyScoped(currentDetector, new Detector()))
)

/** @internal */
export const withLocks = <A, E, R>(locks: Iterable<Api.Lockable>, effect: Effect.Effect<A, E, R>) =>
  Effect.suspend(() => {
    const ordered = [...new Set(locks)].sort((a, b) => a.rank - b.rank)
    // the lowest rank outermost: acquired first, released last
    return ordered.reduceRight((inner, lock) => lock.withLock(inner), effect)
  })

/**
 * The lock-order machinery: creation ranks (for `withLocks`), the "taken while holding" graph of
 * the `Detector`, and the locks each fiber holds.
 *
 * Which locks a child fiber holds: a parent usually waits for its children while it holds a lock
 * (`Effect.all`, `Effect.timeout`, `Effect.race` …), so what a child takes counts as taken while
 * holding its parent's locks — but only for as long as the parent really holds them. A child
 * shares its parent's holds, live, instead of copying them: each hold is one object, marked
 * released by whoever lets the lock go, in the same step as the release itself. A copy would
 * outlive the parent's release (a pool's workers made inside a critical section live on after
 * it), and the child's next lock would record a stale edge that later fails a legal order.
 * (Children starting with no held locks would fix that too, but would miss the deadlock of a
 * parent that holds A and waits for a child that waits for B.)
 *
 * Every piece of module state is shared by two loaded copies of the package, so that they keep
 * one lock order: the rank counter and the holds map live on `globalThis` under
 * `Symbol.for("@fiberkit/sync/…")` keys, and context References are looked up by their string key.
 *
 * On Effect 4 a parent does not take over what a child it joins took (Effect 3 merged it at the
 * join): a fiber that ends holding a lock lets it go (`OwnedLock`).
 *
 * @internal
 */
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import type * as Fiber from "effect/Fiber"
import { dual } from "effect/Function"
import * as Layer from "effect/Layer"
import { LockOrderViolation } from "../Errors.js"
import type * as Api from "../LockOrder.js"
import { Fifo } from "./fifo.js"
import { fiberKey, fiberName } from "./owner.js"
import { processGlobal } from "./processGlobal.js"

type AnyFiber = Fiber.Fiber<unknown, unknown>

/** @internal */
export const LockableTypeId: Api.LockableTypeId = Symbol.for("@fiberkit/sync/Lockable") as Api.LockableTypeId

/** The last creation rank given out, shared by every loaded copy of the package. @internal */
export const lastRank: { value: number } = processGlobal("@fiberkit/sync/LockOrder/lastRank", () => ({ value: 0 }))

/** The next creation rank: locks made earlier rank lower. @internal */
export const nextRank = (): number => ++lastRank.value

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
    const queue = new Fifo<Api.Lockable>()
    queue.push(from)
    while (queue.length > 0) {
      const node = queue.shift()
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
export const currentDetector: Context.Reference<Detector | undefined> = Context.Reference<Detector | undefined>(
  "@fiberkit/sync/LockOrder/currentDetector",
  { defaultValue: () => undefined }
)

/** One acquisition of a lock, shared by the fiber that holds it and the children it forks. */
interface Hold {
  readonly lock: Api.Lockable
  /** Set when the lock is let go: from then on no fiber counts as holding it through this hold. */
  released: boolean
}

const live = (holds: ReadonlyArray<Hold>): ReadonlyArray<Hold> =>
  holds.every((hold) => !hold.released) ? holds : holds.filter((hold) => !hold.released)

/**
 * The holds each fiber took itself, in the order taken (kept only while a detector is in force).
 * Keyed by the fiber, so that no change of context (a `provideService` region ending) loses one.
 */
const ownHolds = processGlobal(
  "@fiberkit/sync/LockOrder/ownHolds",
  () => new WeakMap<AnyFiber, ReadonlyArray<Hold>>()
)

/**
 * The holds a fiber passes on to the children it forks: its ancestors' and its own, as of its
 * last acquisition. A forked fiber starts with its parent's context, so it sees them — the same
 * objects, so it stops counting one as held when the parent lets it go. The parent's later
 * acquisitions are not its concern (it was forked before them).
 *
 * @internal
 */
export const passedOn: Context.Reference<ReadonlyArray<Hold>> = Context.Reference<ReadonlyArray<Hold>>(
  "@fiberkit/sync/LockOrder/passedOn",
  { defaultValue: () => [] }
)

/** What `fiber` counts as holding: inherited from its ancestors, then its own. */
const heldBy = (fiber: AnyFiber): { readonly inherited: ReadonlyArray<Hold>; readonly own: ReadonlyArray<Hold> } => {
  const own = ownHolds.get(fiber) ?? []
  const passed = fiber.getRef(passedOn)
  const inherited = own.length === 0 ? passed : passed.filter((hold) => !own.includes(hold))
  return { inherited, own }
}

/**
 * Before `fiber` waits for `lock`: a violation to die with, if the detector finds one. Costs one
 * context read when no detector is in force.
 *
 * @internal
 */
export const beforeAcquire = (fiber: AnyFiber, lock: Api.Lockable): LockOrderViolation | undefined => {
  const detector = fiber.getRef(currentDetector)
  if (detector === undefined) return undefined
  const held = heldBy(fiber)
  const holding: Array<Api.Lockable> = []
  // taking a lock one's parent holds is only waiting for the parent: not a self-deadlock by itself
  for (const hold of held.inherited) if (!hold.released && hold.lock !== lock) holding.push(hold.lock)
  for (const hold of held.own) if (!hold.released) holding.push(hold.lock)
  return detector.check(fiberName(fiberKey(fiber)), holding, lock)
}

/** Records that the running fiber took `lock` (only while a detector is in force). @internal */
export const afterAcquire = (fiber: AnyFiber, lock: Api.Lockable): Effect.Effect<void> =>
  fiber.getRef(currentDetector) === undefined
    ? Effect.void
    : Effect.sync(() => {
      const held = heldBy(fiber)
      const own = [...live(held.own), { lock, released: false }]
      ownHolds.set(fiber, own)
      fiber.setContext(Context.add(fiber.context, passedOn, [...live(held.inherited), ...own]))
    })

/**
 * Records that the running fiber let go of `lock`, in the step that lets it go: its latest hold
 * of `lock` is marked released, so neither the fiber nor the children it forked count it as held
 * from here on. Also runs after the detector's scope has ended, so that no stale entry is left
 * for a later detector.
 *
 * @internal
 */
export const afterRelease = (fiber: AnyFiber, lock: Api.Lockable): void => {
  const own = ownHolds.get(fiber)
  if (own === undefined) return
  for (let i = own.length - 1; i >= 0; i--) {
    const hold = own[i]!
    if (hold.lock === lock && !hold.released) {
      hold.released = true
      return
    }
  }
}

/** @internal */
export const detectorLayer: Layer.Layer<never> = Layer.effect(currentDetector, Effect.sync(() => new Detector()))

/** @internal */
export const withLocks = dual(
  (args) => Effect.isEffect(args[0]),
  <A, E, R>(effect: Effect.Effect<A, E, R>, locks: Iterable<Api.Lockable>): Effect.Effect<A, E, R> =>
    Effect.suspend(() => {
      const ordered = [...new Set(locks)].sort((a, b) => a.rank - b.rank)
      // the lowest rank outermost: acquired first, released last
      return ordered.reduceRight((inner, lock) => lock.withLock(inner), effect)
    })
)

import type * as Effect from "effect/Effect"
import type * as Fiber from "effect/Fiber"
import * as FiberRef from "effect/FiberRef"
import { globalValue } from "effect/GlobalValue"

/**
 * Ownership of locks taken with the explicit `acquire` (not `withLock`), per fiber: owner key
 * (the id of the fiber that acquired) → number of holds this fiber answers for.
 *
 * A forked fiber starts with none: a child is another owner. When a parent joins a child (this
 * includes `Effect.timeout`, which runs its effect in a child fiber and merges its FiberRefs
 * back), the child's holds are added to the parent's, so the parent may release what the child
 * acquired for it: `Effect.timeout(lock.acquire, "1 second")` then `lock.release` works.
 *
 * Behind `globalValue`: two loaded copies of the package agree on who holds what.
 *
 * @internal
 */
export const holds: FiberRef.FiberRef<ReadonlyMap<number, number>> = globalValue(
  Symbol.for("@fiberkit/sync/Lock/holds"),
  () =>
    FiberRef.unsafeMake<ReadonlyMap<number, number>>(new Map(), {
      fork: () => new Map(),
      join: (parent, child) => {
        if (child.size === 0) return parent
        const merged = new Map(parent)
        for (const [key, count] of child) merged.set(key, (merged.get(key) ?? 0) + count)
        return merged
      }
    })
)

/** @internal */
export const fiberKey = (fiber: Fiber.Fiber<unknown, unknown>): number => fiber.id().id

/** @internal */
export const fiberName = (key: number): string => `#${key}`

/** Whether `fiber` holds what was acquired under `key`. @internal */
export const answersFor = (fiber: Fiber.Fiber<unknown, unknown>, key: number): boolean =>
  fiberKey(fiber) === key || (fiber.getFiberRef(holds).get(key) ?? 0) > 0

/** Adds `delta` holds under `key` to the running fiber. @internal */
export const addHold = (key: number, delta: number): Effect.Effect<void> =>
  FiberRef.update(holds, (current) => {
    const next = new Map(current)
    const count = (current.get(key) ?? 0) + delta
    if (count > 0) next.set(key, count)
    else next.delete(key)
    return next
  })

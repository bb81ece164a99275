import type * as Fiber from "effect/Fiber"

type AnyFiber = Fiber.Fiber<unknown, unknown>

/**
 * Who holds a lock taken from free: the fiber that took it, and the context it ran with then.
 *
 * Ownership is per fiber: a forked child is another owner, even a child that shares its parent's
 * context, so sibling fibers exclude each other (and a reentrant lock lets only its holder back
 * in).
 *
 * Effect 4 runs `Effect.timeout(effect, …)` (and the other races) in fibers of its own, and
 * merges nothing from them back into the caller. So a lock taken there would be held by a fiber
 * that has ended, and nobody could release it. Such a lock is adopted: once its owner has ended,
 * a fiber running with the very context the owner acquired with (the caller of the timeout, or
 * the parent that waited for a child) answers for it, and becomes its owner. Live owners are
 * never adopted from.
 *
 * @internal
 */
export interface Owner {
  fiber: AnyFiber
  context: AnyFiber["context"]
}

/** The running fiber as a new owner. @internal */
export const ownerOf = (fiber: AnyFiber): Owner => ({ fiber, context: fiber.context })

/** @internal */
export const fiberKey = (fiber: AnyFiber): number => fiber.id

/** @internal */
export const fiberName = (key: number): string => `#${key}`

/**
 * Whether `fiber` answers for what `owner` holds: it is the owner, or it adopts it (see
 * {@link Owner}); adopting makes `fiber` the owner from here on.
 *
 * @internal
 */
export const answersFor = (fiber: AnyFiber, owner: Owner): boolean => {
  if (owner.fiber === fiber) return true
  if (owner.fiber.pollUnsafe() === undefined || owner.context !== fiber.context) return false
  owner.fiber = fiber
  return true
}

import type * as Fiber from "effect/Fiber"

type AnyFiber = Fiber.Fiber<unknown, unknown>

/**
 * Ownership of a lock is per fiber: a forked child is another owner, even a child that shares
 * its parent's context, so sibling fibers exclude each other and a reentrant lock lets only its
 * holder back in. A fiber that ends holding a lock it took with `acquire` lets it go then
 * (`OwnedLock` watches its end): nobody else may release it, and it would stay locked for ever.
 *
 * @internal
 */
export const fiberKey = (fiber: AnyFiber): number => fiber.id

/** @internal */
export const fiberName = (key: number): string => `#${key}`

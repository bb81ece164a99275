/**
 * Arrivals at a `KeyedConcurrencyLimiter`, for the tests of its order.
 */
import { Effect } from "effect"
import type * as KeyedConcurrencyLimiter from "../src/KeyedConcurrencyLimiter.js"

/** Forks `limit.withPriority(key, priority)` of an effect that records `name`, and lets it register. */
export const enter = <X>(
  limit: KeyedConcurrencyLimiter.KeyedConcurrencyLimiter<string, X>,
  order: Array<string>,
  [name, key, priority]: readonly [string, string, number]
) =>
  Effect.tap(
    Effect.forkChild(limit.withPriority(key, priority)(Effect.sync(() => void order.push(name)))),
    () => Effect.yieldNow
  )

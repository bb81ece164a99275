import * as Effect from "effect/Effect"
import * as FiberRef from "effect/FiberRef"
import * as FiberRefs from "effect/FiberRefs"

/** What a pool reads of the fiber that submits a task. */
interface Caller {
  readonly getFiberRef: <X>(ref: FiberRef.FiberRef<X>) => X
}

const carry = <X, A, E, R>(
  effect: Effect.Effect<A, E, R>,
  ref: FiberRef.FiberRef<X>,
  caller: Caller,
  base: FiberRefs.FiberRefs
): Effect.Effect<A, E, R> => {
  const value = caller.getFiberRef(ref)
  return value === FiberRefs.getOrDefault(base, ref) ? effect : Effect.locally(effect, ref, value)
}

/**
 * The logging context of the fiber that submits a task — its log annotations, log spans, log
 * level and minimum log level — applied to the task, which runs in a fiber of the pool (started
 * from the runtime the pool was made in, not forked from the caller): the task logs as if the
 * caller had forked it. Only the settings that differ from the pool's own (`base`) are applied,
 * so a caller that changed none of them costs nothing more.
 *
 * @internal
 */
export const withLogContextOf =
  (caller: Caller, base: FiberRefs.FiberRefs) => <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> => {
    let task = carry(effect, FiberRef.currentLogAnnotations, caller, base)
    task = carry(task, FiberRef.currentLogSpan, caller, base)
    task = carry(task, FiberRef.currentLogLevel, caller, base)
    return carry(task, FiberRef.currentMinimumLogLevel, caller, base)
  }

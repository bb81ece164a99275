import * as Effect from "effect/Effect"
import type * as Exit from "effect/Exit"
import * as Scheduler from "effect/Scheduler"

type Resume<A, E> = (effect: Effect.Effect<A, E>) => void

/**
 * How many woken fibers run one after another in microtasks before a wake goes through
 * `setImmediate`: fibers that only hand a lock back and forth never reach a scheduler yield, and
 * without this would keep the event loop from timers and I/O for as long as they ran.
 */
const WAKES_BEFORE_MACROTASK = 2048

let queue: Array<Resume<any, any> | Exit.Exit<any, any>> = []
let scheduled = false
let wakesSinceMacrotask = 0

const drain = () => {
  // a fiber resumed here may wake others: they join this same loop, run after it has suspended
  for (let i = 0; i < queue.length; i += 2) {
    ;(queue[i] as Resume<unknown, unknown>)(queue[i + 1] as Exit.Exit<unknown, unknown>)
  }
  wakesSinceMacrotask += queue.length / 2
  queue = []
  scheduled = false
}

const drainAfterMacrotask = () => {
  wakesSinceMacrotask = 0
  drain()
}

/**
 * Whether a fiber on `scheduler` can be woken in a microtask: only on Effect's own scheduler in
 * its asynchronous mode. A scheduler that orders every task itself (the interleavings explorer,
 * `TestTime`'s counting one, `runSync`'s synchronous mode) sees the wake as a task of its own.
 */
export const wakesInMicrotask = (scheduler: Scheduler.Scheduler): boolean =>
  scheduler instanceof Scheduler.MixedScheduler && scheduler.executionMode === "async"

/**
 * Resumes a suspended fiber with `exit` after the current synchronous step is over, never
 * inside it: the fiber that settles finishes its step before the woken one acts, and a line of N
 * waiters handed on one by one runs as a loop, not N nested fiber runs.
 *
 * On Effect's default scheduler the woken fibers run in one microtask, in the order they were
 * woken (as a promise that resolves resumes its fiber), not a trip through the event loop each:
 * a lock hand-off then costs what `async-mutex`'s does. On any other scheduler the woken fiber
 * yields first, so that scheduler decides when it runs.
 *
 * @internal
 */
export const wake = <A, E>(resume: Resume<A, E>, exit: Exit.Exit<A, E>, inMicrotask: boolean): void => {
  if (!inMicrotask) {
    resume(Effect.andThen(Effect.yieldNow, exit))
    return
  }
  queue.push(resume, exit)
  if (scheduled) return
  scheduled = true
  if (wakesSinceMacrotask < WAKES_BEFORE_MACROTASK) queueMicrotask(drain)
  else setImmediate(drainAfterMacrotask)
}

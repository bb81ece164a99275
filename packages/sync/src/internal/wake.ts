import * as Effect from "effect/Effect"
import type * as Exit from "effect/Exit"
import * as Scheduler from "effect/Scheduler"

type Resume<A, E> = (effect: Effect.Effect<A, E>) => void

/**
 * How many woken fibers run one after another, in microtasks, before the next waits for a
 * `setImmediate`: fibers that only hand a lock back and forth never reach a scheduler yield (a
 * resumed fiber starts a fresh op budget), and would otherwise keep the event loop from timers
 * and I/O for as long as they ran.
 */
const WAKES_BEFORE_MACROTASK = 2048

/** Pairs of a fiber's resume and what it resumes with, from `head` on. */
let queue: Array<Resume<unknown, unknown> | Exit.Exit<unknown, unknown> | undefined> = []
let head = 0
let scheduled = false
let wakesSinceMacrotask = 0

const drain = (): void => {
  // a fiber resumed here may wake others: they join this same loop, and run after it suspended
  while (head < queue.length) {
    if (wakesSinceMacrotask >= WAKES_BEFORE_MACROTASK) {
      setImmediate(drainAfterMacrotask)
      return
    }
    const resume = queue[head] as Resume<unknown, unknown>
    const exit = queue[head + 1] as Exit.Exit<unknown, unknown>
    queue[head] = queue[head + 1] = undefined
    head += 2
    wakesSinceMacrotask++
    if (head >= 1024 && head * 2 >= queue.length) {
      queue = queue.slice(head)
      head = 0
    }
    try {
      resume(exit)
    } catch (error) {
      // thrown out of the woken fiber's run (an exit observer of it, say): the wakes after it
      // still run, in a microtask of their own, and the error goes on as uncaught
      if (head < queue.length) queueMicrotask(drain)
      else reset()
      throw error
    }
  }
  reset()
}

const reset = (): void => {
  queue = []
  head = 0
  scheduled = false
}

const drainAfterMacrotask = (): void => {
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
  queue.push(resume as unknown as Resume<unknown, unknown>, exit)
  if (scheduled) return
  scheduled = true
  queueMicrotask(drain)
}

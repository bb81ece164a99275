import { InvalidOptions } from "../Errors.js"

/**
 * A task's priority: an integer from `-maxPriority` to `maxPriority`, higher first, 0 by default
 * — one rule on every store, the range the BullMQ store can rank (BullMQ's priorities are 1 to
 * 2^21 − 1, see `toBullPriority`).
 *
 * @internal
 */
export const maxPriority = 1_000_000

/** @internal */
export const defaultPriority = 0

/** @internal */
export const priorityRange = `an integer from -${maxPriority.toLocaleString("en")} to ${
  maxPriority.toLocaleString("en")
}`

/**
 * The priority a task is added with: the one given to `add`, else the default — resolved here
 * only, so that a default of another level (a definition's) has one place to go.
 *
 * @internal
 */
export const resolvePriority = (given: unknown): number | InvalidOptions => {
  const priority = given === undefined ? defaultPriority : given
  if (typeof priority === "number" && Number.isSafeInteger(priority) && Math.abs(priority) <= maxPriority) {
    // -0 is stored as 0: a store gives back what it was given
    return priority === 0 ? 0 : priority
  }
  return new InvalidOptions({
    operation: "TaskManager.add",
    field: "priority",
    expected: priorityRange,
    value: given
  })
}

/**
 * A priority as a BullMQ job's: BullMQ runs lower numbers first, 1 to 2^21 − 1 in its prioritized
 * set, and jobs without one (0, its wait list) before all of those. Every task goes in the
 * prioritized set — its priority 0 too, so that it runs after the tasks of higher priority:
 * fiberkit's `p` is BullMQ's `maxPriority + 1 − p`, from 1 (`maxPriority`) to 2,000,001
 * (`-maxPriority`); equal priorities keep their order of adding (BullMQ's counter).
 *
 * @internal
 */
export const toBullPriority = (priority: number): number => maxPriority + 1 - priority

/** A BullMQ job's priority as the task's; a job without one (0) has the default. @internal */
export const fromBullPriority = (priority: number | undefined): number =>
  priority === undefined || priority <= 0 ? defaultPriority : maxPriority + 1 - priority

import * as Cause from "effect/Cause"
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Pull from "effect/Pull"
import * as Schedule from "effect/Schedule"

/**
 * What an attempt that failed feeds the retry Schedule: its typed failure, also when it comes
 * with the interruption of the task's other fibers (`Effect.all` with concurrency, `race`); `None`
 * when it is not to be retried — a defect is in the cause, or no typed failure is (interrupted).
 *
 * @internal
 */
export const retryInput = <E>(cause: Cause.Cause<E>): Option.Option<E> =>
  Cause.hasDies(cause) ? Option.none() : Cause.findErrorOption(cause)

/** The schedule's step function: it keeps the schedule's state in its closure. */
type Step = (now: number, input: unknown) => Pull.Pull<[unknown, Duration.Duration], never, unknown>

/**
 * The retry Schedule of one task, which may resume where an earlier run left it: after
 * `earlier` failures seen by another process, or by this one before a stop. The first `next`
 * replays those from the schedule's start, with its own failure as their input (the earlier
 * failures themselves are not kept): step 1 at `since` (when the task was added), each next step
 * when the step before chose, then the new failure now. Later failures step on from there.
 * Count- and delay-based schedules decide as if nothing had stopped; elapsed-time ones (`upTo`,
 * `during`) count from the add once they resume.
 *
 * Both engines decide retries with it: the local manager keeps one plan per task run, BullMQ
 * makes one for each failure (its count, `attemptsMade`, is on the job).
 *
 * @internal
 */
export class RetryPlan {
  /** Made at the first failure (`Schedule.toStep` is an effect). */
  private stepper: Step | undefined = undefined
  private at: number
  private replay: number

  constructor(private readonly schedule: Schedule.Schedule<unknown, unknown>, earlier: number, since: number) {
    this.at = since
    this.replay = earlier
  }

  /** The delay before the next attempt, after this failure; `None` when the schedule is done. */
  next(error: unknown): Effect.Effect<Option.Option<number>> {
    return Effect.flatMap(Clock.currentTimeMillis, (now) =>
      Effect.gen({ self: this }, function*() {
        if (this.stepper === undefined) this.stepper = yield* Schedule.toStep(this.schedule)
        this.at = Math.min(this.at, now)
        for (; this.replay > 0; this.replay--) {
          const start = yield* this.step(this.at, error)
          if (start === undefined) return Option.none()
          this.at = Math.max(this.at, start)
        }
        const time = Math.max(this.at, now)
        const start = yield* this.step(time, error)
        if (start === undefined) return Option.none()
        this.at = time
        return Option.some(Math.max(0, start - time))
      }))
  }

  /** One step of the schedule at `time`: when it lets the next attempt start, or `undefined` if done. */
  private step(time: number, error: unknown): Effect.Effect<number | undefined> {
    return this.stepper!(time, error).pipe(
      Effect.map(([, delay]): number | undefined => time + Duration.toMillis(delay)),
      Pull.catchDone(() => Effect.succeed(undefined))
    )
  }
}

/**
 * The delay before the next attempt, after `failures` failed ones (this one included), or `None`
 * when the schedule is done: a plan resumed after the `failures - 1` before.
 *
 * @internal
 */
export const retryDelay = (
  schedule: Schedule.Schedule<unknown, unknown>,
  error: unknown,
  failures: number,
  since: number
): Effect.Effect<Option.Option<number>> => new RetryPlan(schedule, failures - 1, since).next(error)

import type * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Stream from "effect/Stream"
import { PoolShutDown } from "../Errors.js"
import type * as Executor from "../Executor.js"

/**
 * `Executor.mapStream` in terms of `submit`: at most `concurrency` items in flight, results in
 * input order; a task cancelled by the pool's shutdown (`cancelled()`: it cancelled what had not
 * started) ends the stream as `PoolShutDown`, one that interrupted itself as interrupted; an
 * interrupted stream cancels the tasks it waits for.
 *
 * @internal
 */
export const mapStream =
  (submit: Executor.Executor["submit"], concurrency: number, cancelled: () => boolean) =>
  <A, E1, R1, B, E, R>(
    items: Stream.Stream<A, E1, R1>,
    f: (item: A) => Effect.Effect<B, E, R>
  ): Stream.Stream<B, E1 | E | PoolShutDown, R1 | R> =>
    Stream.mapEffect(
      items,
      (item) =>
        // the task is submitted and its cancel installed in one uninterruptible step: an
        // interruption in between would leave it running for a stream that has ended
        Effect.uninterruptibleMask((restore) =>
          Effect.flatMap(submit(f(item)), (future) =>
            Effect.flatMap(Effect.onInterrupt(restore(future.await), () => future.cancel), (exit) =>
              Exit.isSuccess(exit)
                ? Effect.succeed(exit.value)
                // the task's own failure — even a `FutureCancelled` error — is the stream's; a
                // task cancelled (by a shutdown, or by interrupting itself) is not a failure of it
                : Effect.flatMap(future.isCancelled, (wasCancelled): Effect.Effect<never, E | PoolShutDown> =>
                  !wasCancelled
                    ? Effect.failCause(exit.cause as Cause.Cause<E>)
                    : cancelled()
                    ? Effect.fail(new PoolShutDown())
                    : Effect.interrupt)))
        ),
      { concurrency }
    )

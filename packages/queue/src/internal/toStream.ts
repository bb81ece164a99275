import type * as Arr from "effect/Array"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import type * as Pull from "effect/Pull"
import * as Stream from "effect/Stream"
import type { QueueShutDown } from "../Errors.js"
import type * as Api from "../JoinableQueue.js"
import { invalidCount } from "./arguments.js"

/**
 * The queue's items in chunks of up to `chunkSize` (default 256), by `takeBatch`; the stream
 * ends when the queue is shut down and drained, and dies on a `chunkSize` that is not a count.
 * @internal
 */
export const toStream = <A>(
  queue: Api.JoinableQueue<A>,
  options?: { readonly chunkSize?: number | undefined }
): Stream.Stream<A> => {
  const chunkSize = options?.chunkSize ?? 256
  const invalid = invalidCount("JoinableQueue.toStream", "chunkSize", chunkSize)
  if (invalid !== undefined) return Stream.die(invalid)
  // `takeBatch` gives at least one item, and fails only with `QueueShutDown`: the end
  const pull: Pull.Pull<Arr.NonEmptyReadonlyArray<A>> = Effect.catch(
    queue.takeBatch(chunkSize) as Effect.Effect<ReadonlyArray<A>, QueueShutDown> as Effect.Effect<
      Arr.NonEmptyReadonlyArray<A>,
      QueueShutDown
    >,
    () => Cause.done()
  )
  return Stream.fromPull(Effect.succeed(pull))
}

import * as Effect from "effect/Effect"
import * as PubSub from "effect/PubSub"
import * as Queue from "effect/Queue"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import type * as Api from "../TaskManager.js"

/** Published after the last outcome, when the manager shuts down: the results streams end there. */
const End = Symbol.for("@fiberkit/tasks/TaskManager/End")

const untilEnd = (stream: Stream.Stream<Api.TaskResult | typeof End>): Stream.Stream<Api.TaskResult> =>
  Stream.takeWhile(stream, (item): item is Api.TaskResult => item !== End)

/**
 * A manager's outcomes, for its `results` and `subscribe` streams: each published once, then an
 * end mark when the manager shuts down (shutting the PubSub down instead would drop outcomes a
 * subscriber has not taken yet). Nothing is published after the end.
 *
 * @internal
 */
export class Outcomes {
  /** The end mark is published. */
  ended = false

  private constructor(private readonly pubsub: PubSub.PubSub<Api.TaskResult | typeof End>) {}

  static readonly make: Effect.Effect<Outcomes> = Effect.map(
    PubSub.unbounded<Api.TaskResult | typeof End>(),
    (pubsub) => new Outcomes(pubsub)
  )

  publish(result: Api.TaskResult): Effect.Effect<void> {
    return Effect.asVoid(PubSub.publish(this.pubsub, result))
  }

  /** Publishes the end mark, once. */
  readonly end: Effect.Effect<void> = Effect.suspend(() => {
    if (this.ended) return Effect.void
    this.ended = true
    return Effect.asVoid(PubSub.publish(this.pubsub, End))
  })

  /**
   * The outcomes from now on, until the end mark. Subscribed after the end (which it then never
   * sees), it holds what it got before the end: nothing is published after it.
   */
  readonly subscribe: Effect.Effect<Stream.Stream<Api.TaskResult>, never, Scope.Scope> = Effect.flatMap(
    Effect.suspend(() => PubSub.subscribe(this.pubsub)),
    (subscription) =>
      Effect.suspend(() =>
        this.ended
          ? Effect.map(Queue.takeAll(subscription), (got) => untilEnd(Stream.fromIterable(got)))
          : Effect.succeed(untilEnd(Stream.fromQueue(subscription)))
      )
  )
}

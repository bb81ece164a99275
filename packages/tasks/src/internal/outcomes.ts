import * as Effect from "effect/Effect"
import * as Queue from "effect/Queue"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import { ResultsOverflow } from "../Errors.js"
import type { TaskResult } from "../TaskResult.js"

/** After the last outcome, when the manager shuts down: the results streams end there. */
const End = Symbol.for("@fiberkit/tasks/TaskManager/End")
/** Its subscriber fell `capacity` outcomes behind: its stream fails `ResultsOverflow` there. */
const Overflow = Symbol.for("@fiberkit/tasks/TaskManager/Overflow")

type Item = TaskResult | typeof End | typeof Overflow

/**
 * A manager's outcomes, for its `results` and `subscribe` streams: each published once to every
 * subscriber, then an end mark when the manager shuts down; nothing is published after the end.
 * Publishing never waits: a subscriber that falls `capacity` outcomes behind (a stream nobody
 * reads) has its stream fail `ResultsOverflow` instead of holding outcomes without bound — the
 * outcomes it missed are in the store (`status`).
 *
 * @internal
 */
export class Outcomes {
  /** The end mark is published. */
  ended = false
  private readonly subscribers = new Set<Queue.Queue<Item>>()

  constructor(private readonly capacity: number) {}

  static readonly make = (capacity: number): Effect.Effect<Outcomes> => Effect.sync(() => new Outcomes(capacity))

  private offer(item: Item): void {
    // a copy: on Effect 4 an offer runs the woken reader inline, which may subscribe or leave
    for (const queue of [...this.subscribers]) {
      const size = Queue.sizeUnsafe(queue)
      if (item !== End && size >= this.capacity) {
        // one place more, for the mark that fails its stream; nothing after it
        Queue.offerUnsafe(queue, Overflow)
        this.subscribers.delete(queue)
      } else {
        Queue.offerUnsafe(queue, item)
      }
    }
  }

  publish(result: TaskResult): Effect.Effect<void> {
    return Effect.sync(() => this.offer(result))
  }

  /**
   * Every stream subscribed now fails `ResultsOverflow` after what it has: outcomes were lost
   * before they reached it (the BullMQ engine's reader fell behind its events).
   */
  readonly overflow: Effect.Effect<void> = Effect.sync(() => {
    for (const queue of this.subscribers) Queue.offerUnsafe(queue, Overflow)
    this.subscribers.clear()
  })

  /** Publishes the end mark, once. */
  readonly end: Effect.Effect<void> = Effect.sync(() => {
    if (this.ended) return
    this.ended = true
    this.offer(End)
    this.subscribers.clear()
  })

  /**
   * The outcomes from now on, until the end mark or the close of the subscription's scope;
   * subscribed in the step that checks for the end: subscribed after it, the stream is empty.
   */
  readonly subscribe: Effect.Effect<Stream.Stream<TaskResult, ResultsOverflow>, never, Scope.Scope> = Effect
    .map(
      Effect.acquireRelease(
        Effect.flatMap(Queue.unbounded<Item>(), (queue) =>
          Effect.sync(() => {
            if (this.ended) return undefined
            this.subscribers.add(queue)
            return queue
          })),
        // the subscription's scope closed: its stream ends after what it has (a reader that
        // outlives the scope does not wait for ever)
        (queue) =>
          Effect.sync(() => {
            if (queue !== undefined && this.subscribers.delete(queue)) Queue.offerUnsafe(queue, End)
          })
      ),
      (queue) =>
        queue === undefined ? Stream.empty : Stream.fromQueue(queue).pipe(
          Stream.takeWhile((item): item is TaskResult | typeof Overflow => item !== End),
          Stream.mapEffect((item) =>
            item === Overflow ? Effect.fail(new ResultsOverflow({ capacity: this.capacity })) : Effect.succeed(item)
          )
        )
    )
}

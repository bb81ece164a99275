// The example of the README's "Every interleaving" section, as it stands there: it must run.
import { assert, it } from "@effect/vitest"
import { Interleavings, Linearizability } from "@fiberkit/testkit"
import { Effect, Exit, Fiber, Option } from "effect"

// the sequential model: a FIFO queue; an interrupted operation did nothing
type Input = { readonly put: number } | { readonly take: true }
type Output = "ok" | number | "empty" | "interrupted"
const fifo: Linearizability.Model<ReadonlyArray<number>, Input, Output> = {
  init: [],
  step: (items, input, output) => {
    if (output === "interrupted") return items
    if ("put" in input) return output === "ok" || output === undefined ? [...items, input.put] : undefined
    if (items.length === 0) return output === "empty" ? items : undefined
    return output === items[0] || output === undefined ? items.slice(1) : undefined
  }
}
const answer = (exit: Exit.Exit<Option.Option<number> | void, unknown>): Output =>
  Exit.match(exit, {
    onFailure: (): Output => "interrupted",
    onSuccess: (value): Output => value === undefined ? "ok" : Option.isSome(value) ? value.value : "empty"
  })

const scenario = Effect.gen(function*() {
  const items: Array<number> = []
  const put = (n: number) => Effect.sync(() => void items.push(n))
  // the bug: read the head, then remove it in a later op
  const take = Effect.flatMap(Effect.sync(() => items[0]), (head) =>
    Effect.sync(() => {
      if (head === undefined) return Option.none<number>()
      items.splice(items.indexOf(head), 1)
      return Option.some(head)
    }))
  const history = yield* Linearizability.makeHistory<Input, Output>()
  const actors = yield* Effect.forEach([
    // two operations per actor: the second one runs past the first ops of a run, where the
    // runtime may switch a fiber out
    Effect.andThen(history.record("p1", { put: 1 }, put(1), answer), history.record("p1", { put: 2 }, put(2), answer)),
    Effect.andThen(
      history.record("c1", { take: true }, take, answer),
      history.record("c1", { take: true }, take, answer)
    ),
    Effect.andThen(
      history.record("c2", { take: true }, take, answer),
      history.record("c2", { take: true }, take, answer)
    )
  ], (actor) => Interleavings.fork(actor))
  yield* Effect.forEach(actors, Fiber.await) // an actor may be interrupted: await, not join
  yield* Linearizability.check(fifo, yield* history.operations)
})

it.effect("two takers never get the same item", () =>
  Effect.gen(function*() {
    const failure = yield* Effect.flip(Interleavings.explore(scenario, { schedules: 500, seed: 2 }))
    assert.strictEqual(failure.kind, "failed") // NotLinearizable, with a picture of the history
    assert.include(failure.message, "no sequential order explains")
    console.log(failure.message)
    // failure.replay runs that schedule again: Interleavings.explore(scenario, { replay: failure.replay })
  }))

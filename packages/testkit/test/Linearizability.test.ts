import { assert, describe, it } from "@effect/vitest"
import { Interleavings, Linearizability } from "@fiberkit/testkit"
import { Effect, Exit, Fiber, Option } from "effect"

type Input = { readonly put: number } | { readonly take: true }
type Output = "ok" | number | "empty" | "interrupted"

/** A FIFO queue: a put answers "ok", a take the oldest item or "empty"; an interrupted operation did nothing. */
const fifo: Linearizability.Model<ReadonlyArray<number>, Input, Output> = {
  init: [],
  step: (items, input, output) => {
    if (output === "interrupted") return items
    if ("put" in input) return output === "ok" || output === undefined ? [...items, input.put] : undefined
    if (items.length === 0) return output === "empty" ? items : undefined
    return output === items[0] || output === undefined ? items.slice(1) : undefined
  },
  describe: (input, output) => `${"put" in input ? `put(${input.put})` : "take"} → ${output ?? "…"}`
}

const answer = (exit: Exit.Exit<Option.Option<number> | void, unknown>): Output =>
  Exit.match(exit, {
    onFailure: (): Output => "interrupted",
    onSuccess: (value): Output => value === undefined ? "ok" : Option.isSome(value) ? value.value : "empty"
  })

/** A queue whose take reads the head in one op and removes it in the next: two takers can get the same item. */
const queue = (atomic: boolean) => {
  const items: Array<number> = []
  const put = (n: number) => Effect.sync(() => void items.push(n))
  const take: Effect.Effect<Option.Option<number>> = atomic
    ? Effect.sync(() => Option.fromNullishOr(items.shift()))
    : Effect.flatMap(Effect.sync(() => items[0]), (head) =>
      Effect.sync(() => {
        if (head === undefined) return Option.none()
        items.splice(items.indexOf(head), 1)
        return Option.some(head)
      }))
  return { put, take }
}

const scenario = (atomic: boolean) =>
  Effect.gen(function*() {
    const q = queue(atomic)
    const history = yield* Linearizability.makeHistory<Input, Output>()
    // two operations per actor: the second one runs past the first ops of a run, where the
    // runtime may switch a fiber out
    const twice = (process: string, input: Input, op: Effect.Effect<Option.Option<number>>) =>
      Effect.andThen(history.record(process, input, op, answer), history.record(process, input, op, answer))
    const actors = [
      Effect.andThen(
        history.record("p1", { put: 1 }, q.put(1), answer),
        history.record("p1", { put: 2 }, q.put(2), answer)
      ),
      twice("c1", { take: true }, q.take),
      twice("c2", { take: true }, q.take)
    ]
    const fibers = yield* Effect.forEach(actors, (actor) => Interleavings.fork(actor))
    yield* Effect.forEach(fibers, Fiber.await)
    yield* Linearizability.check(fifo, yield* history.operations)
  })

describe("Linearizability", () => {
  it("a read that saw a write which started before it is explained; a read of a value never written is not", () => {
    const ops: Array<Linearizability.Operation<Input, Output>> = [
      { process: "a", input: { put: 7 }, output: "ok", call: 1, returned: 4 },
      { process: "b", input: { take: true }, output: 7, call: 2, returned: 3 }
    ]
    assert.deepStrictEqual(Linearizability.linearize(fifo, ops)?.map((op) => op.process), ["a", "b"])
    const wrong = [ops[0]!, { ...ops[1]!, output: 8 }]
    assert.isUndefined(Linearizability.linearize(fifo, wrong))
  })

  it("real time is respected: a take that returned before the put was called cannot see its item", () => {
    const ops: Array<Linearizability.Operation<Input, Output>> = [
      { process: "b", input: { take: true }, output: 7, call: 1, returned: 2 },
      { process: "a", input: { put: 7 }, output: "ok", call: 3, returned: 4 }
    ]
    assert.isUndefined(Linearizability.linearize(fifo, ops))
  })

  it("a pending operation may take effect, or not", () => {
    const put: Linearizability.Operation<Input, Output> = {
      process: "a",
      input: { put: 5 },
      output: undefined,
      call: 1,
      returned: Infinity
    }
    const sawIt = { process: "b", input: { take: true } as const, output: 5, call: 2, returned: 3 }
    const sawNothing = { ...sawIt, output: "empty" as const }
    assert.isDefined(Linearizability.linearize(fifo, [put, sawIt]))
    assert.isDefined(Linearizability.linearize(fifo, [put, sawNothing]))
  })

  it.effect("check fails with the smallest failing history and its picture", () =>
    Effect.gen(function*() {
      const ops: Array<Linearizability.Operation<Input, Output>> = [
        { process: "p1", input: { put: 1 }, output: "ok", call: 1, returned: 2 },
        { process: "p2", input: { put: 2 }, output: "ok", call: 3, returned: 4 },
        { process: "c1", input: { take: true }, output: 2, call: 5, returned: 6 },
        { process: "c2", input: { take: true }, output: 1, call: 7, returned: 8 }
      ]
      const failure = yield* Effect.flip(Linearizability.check(fifo, ops))
      assert.deepStrictEqual(failure.operations.map((op) => op.process), ["p1", "p2", "c1"])
      assert.include(failure.picture, "take → 2")
      assert.include(failure.message, "no sequential order explains these 3 operations")
    }))

  it.effect("under the explorer: a take in two ops hands one item to two takers; an atomic take is linearizable", () =>
    Effect.gen(function*() {
      const failure = yield* Effect.flip(Interleavings.explore(scenario(false), { seed: 2, schedules: 500 }))
      assert.strictEqual(failure.kind, "failed")
      assert.include(failure.detail, "NotLinearizable")
      yield* Interleavings.explore(scenario(true), { seed: 2, schedules: 300, interrupts: true })
    }))
})

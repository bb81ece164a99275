import { assert, describe, it } from "@effect/vitest"
import { Arbitrary, Effect, Option } from "effect"
import * as Gen from "../src/Gen.js"

describe("Gen", () => {
  it.prop(
    "integer stays within its inclusive bounds",
    {
      small: Gen.integer({ min: 1, max: 4 }),
      negative: Gen.integer({ min: -30, max: -10 }),
      point: Gen.integer({ min: 7, max: 7 }),
      any: Gen.integer()
    },
    ({ any, negative, point, small }) => {
      assert.isTrue(Number.isInteger(small) && small >= 1 && small <= 4)
      assert.isTrue(Number.isInteger(negative) && negative >= -30 && negative <= -10)
      assert.strictEqual(point, 7)
      assert.isTrue(Number.isSafeInteger(any))
    }
  )

  it.effect("integer reaches both of its bounds", () =>
    Effect.gen(function*() {
      const values = yield* Gen.sample(Gen.integer({ min: 0, max: 3 }), 200, { seed: 1 })
      assert.deepStrictEqual([...new Set(values)].sort(), [0, 1, 2, 3])
    }))

  it.prop("boolean, constant and constantFrom give only their values", [
    Gen.boolean,
    Gen.constant("x"),
    Gen.constantFrom("fifo", "lifo", "priority")
  ], ([b, x, kind]) => {
    assert.isBoolean(b)
    assert.strictEqual(x, "x")
    assert.include(["fifo", "lifo", "priority"], kind)
  })

  it.effect("boolean and constantFrom draw every value", () =>
    Effect.gen(function*() {
      const bools = yield* Gen.sample(Gen.boolean, 100, { seed: 2 })
      assert.deepStrictEqual([...new Set(bools)].sort(), [false, true])
      const kinds = yield* Gen.sample(Gen.constantFrom("a", "b", "c"), 100, { seed: 2 })
      assert.deepStrictEqual([...new Set(kinds)].sort(), ["a", "b", "c"])
    }))

  it.prop("oneof gives a value of one of its members", [
    Gen.oneof(Gen.constant(0), Gen.integer({ min: 10, max: 20 })),
    Gen.oneof({ arbitrary: Gen.constant(undefined), weight: 3 }, { arbitrary: Gen.constant("x"), weight: 1 })
  ], ([n, u]) => {
    assert.isTrue(n === 0 || (n >= 10 && n <= 20))
    assert.isTrue(u === undefined || u === "x")
  })

  it.effect("oneof of plain and weighted members together generates both (typed as their union, not never)", () =>
    Effect.gen(function*() {
      const mixed = Gen.oneof(Gen.constant(0 as const), { arbitrary: Gen.constant("x" as const), weight: 3 })
      // a compile-time check: before, mixing both kinds of member typed the result Arbitrary<never>
      const both: Array<Gen.ValueOf<typeof mixed>> = [0, "x"]
      const values = yield* Gen.sample(mixed, 100, { seed: 4 })
      assert.includeMembers(both, [...values])
      assert.deepStrictEqual([...new Set(values)].sort(), [0, "x"])
    }))

  it.effect("oneof follows the weights", () =>
    Effect.gen(function*() {
      const values = yield* Gen.sample(
        Gen.oneof({ arbitrary: Gen.constant("a"), weight: 3 }, { arbitrary: Gen.constant("b"), weight: 1 }),
        400,
        { seed: 3 }
      )
      const a = values.filter((v) => v === "a").length
      assert.isAbove(a, 240)
      assert.isBelow(a, 360)
      const never = yield* Gen.sample(
        Gen.oneof({ arbitrary: Gen.constant("a"), weight: 0 }, { arbitrary: Gen.constant("b"), weight: 1 }),
        50,
        { seed: 3 }
      )
      assert.isTrue(never.every((v) => v === "b"))
    }))

  it.prop("array keeps its length bounds and its items' bounds", [
    Gen.array(Gen.integer({ min: 0, max: 5 }), { minLength: 2, maxLength: 6 }),
    Gen.array(Gen.boolean, { minLength: 14, maxLength: 14 }),
    Gen.array(Gen.integer({ min: 0, max: 5 }), { maxLength: 3 })
  ], ([xs, flags, short]) => {
    assert.isTrue(xs.length >= 2 && xs.length <= 6)
    assert.isTrue(xs.every((x) => x >= 0 && x <= 5))
    assert.strictEqual(flags.length, 14)
    assert.isAtMost(short.length, 3)
  })

  it.prop("uniqueArray keeps its length bounds and has no duplicates", [
    Gen.uniqueArray(Gen.integer({ min: 0, max: 4 }), { minLength: 1, maxLength: 5 }),
    Gen.uniqueArray(Gen.integer({ min: 0, max: 5 }), { minLength: 2, maxLength: 2 }),
    Gen.uniqueArray(Gen.integer({ min: 0, max: 4 }), { minLength: 5, maxLength: 5 }),
    Gen.uniqueArray(Gen.record({ id: Gen.integer({ min: 0, max: 9 }), on: Gen.boolean }), {
      maxLength: 8,
      selector: (r) => r.id
    })
  ], ([some, pair, all, byId]) => {
    assert.isTrue(some.length >= 1 && some.length <= 5)
    assert.strictEqual(new Set(some).size, some.length)
    assert.strictEqual(pair.length, 2)
    assert.notStrictEqual(pair[0], pair[1])
    assert.deepStrictEqual([...all].sort(), [0, 1, 2, 3, 4])
    assert.isAtMost(byId.length, 8)
    assert.strictEqual(new Set(byId.map((r) => r.id)).size, byId.length)
  })

  it.prop("record and tuple give one value per field and position", [
    Gen.record({ gap: Gen.integer({ min: 0, max: 60 }), kind: Gen.constantFrom("a", "b"), cancel: Gen.boolean }),
    Gen.tuple(Gen.integer({ min: 1, max: 3 }), Gen.constant("t"), Gen.boolean)
  ], ([r, t]) => {
    assert.deepStrictEqual(Object.keys(r).sort(), ["cancel", "gap", "kind"])
    assert.isTrue(r.gap >= 0 && r.gap <= 60)
    assert.include(["a", "b"], r.kind)
    assert.isBoolean(r.cancel)
    assert.strictEqual(t.length, 3)
    assert.isTrue(t[0] >= 1 && t[0] <= 3)
    assert.strictEqual(t[1], "t")
    assert.isBoolean(t[2])
  })

  it.effect("option gives None and Some within the item's bounds; with nil it gives nil or the value", () =>
    Effect.gen(function*() {
      const options = yield* Gen.sample(Gen.option(Gen.integer({ min: 0, max: 30 })), 200, { seed: 4 })
      assert.isTrue(options.every((o) => Option.isNone(o) || (o.value >= 0 && o.value <= 30)))
      assert.isTrue(options.some(Option.isNone))
      assert.isTrue(options.some(Option.isSome))
      const nils = yield* Gen.sample(Gen.option(Gen.integer({ min: 0, max: 30 }), { nil: undefined }), 200, { seed: 4 })
      assert.isTrue(nils.every((n) => n === undefined || (n >= 0 && n <= 30)))
      assert.isTrue(nils.some((n) => n === undefined))
      assert.isTrue(nils.some((n) => n !== undefined))
    }))

  it.prop("string keeps its length bounds", [
    Gen.string({ maxLength: 20 }),
    Gen.string({ minLength: 3, maxLength: 5 }),
    Gen.string({ minLength: 1, maxLength: 60, unit: "unicode" })
  ], ([label, short, unicode]) => {
    assert.isAtMost(label.length, 20)
    assert.isTrue(short.length >= 3 && short.length <= 5)
    const codePoints = [...unicode].length
    assert.isTrue(codePoints >= 1 && codePoints <= 60)
  })

  it.prop("double is finite and within its bounds", [
    Gen.double({ min: 0, max: 1e7, noNaN: true }),
    Gen.double({ min: -1, max: 1 }),
    Gen.double()
  ], ([big, unit, any]) => {
    assert.isTrue(big >= 0 && big <= 1e7)
    assert.isTrue(unit >= -1 && unit <= 1)
    assert.isTrue(Number.isFinite(any))
  })

  it.effect("sample gives the count asked for, the same for the same seed", () =>
    Effect.gen(function*() {
      const arb = Gen.array(Gen.integer({ min: 0, max: 100 }), { maxLength: 5 })
      const first = yield* Gen.sample(arb, 7, { seed: 9 })
      const again = yield* Gen.sample(arb, 7, { seed: 9 })
      assert.strictEqual(first.length, 7)
      assert.deepStrictEqual(first, again)
    }))

  it.prop("map and flatMap transform the values", [
    Gen.integer({ min: 0, max: 12 }).pipe(Gen.map((n) => `worker ${n}`)),
    Gen.flatMap(
      Gen.integer({ min: 1, max: 100 }),
      (d) => Gen.tuple(Gen.constant(d), Gen.integer({ min: 0, max: d - 1 }))
    )
  ], ([lane, [duration, cut]]) => {
    assert.match(lane, /^worker \d+$/)
    assert.isTrue(cut >= 0 && cut < duration)
  })

  it("rejects bounds that describe no value", () => {
    assert.throws(() => Gen.integer({ min: 3, max: 2 }), RangeError)
    assert.throws(() => Gen.array(Gen.boolean, { minLength: 3, maxLength: 2 }), RangeError)
    assert.throws(() => Gen.constantFrom(), RangeError)
    assert.throws(() => Gen.oneof(), RangeError)
    assert.throws(() => Gen.double({ min: 0, max: Number.POSITIVE_INFINITY }), RangeError)
  })

  describe("shrinking", () => {
    const falsified = <A>(result: Arbitrary.CheckResult<A, never>): A => {
      assert.strictEqual(result._tag, "Falsified")
      return (result as Arbitrary.Falsified<A, never>).shrunkInput
    }

    it.effect("an integer shrinks to the smallest counterexample", () =>
      Effect.gen(function*() {
        const result = yield* Arbitrary.checkEffect(Gen.integer({ min: 0, max: 1000 }), (n) => n < 10, { seed: 1 })
        assert.strictEqual(falsified(result), 10)
      }))

    it.effect("an array shrinks to the one element that fails", () =>
      Effect.gen(function*() {
        const result = yield* Arbitrary.checkEffect(
          Gen.array(Gen.integer({ min: 0, max: 100 }), { maxLength: 20 }),
          (xs) => xs.every((x) => x < 50),
          { seed: 1 }
        )
        assert.deepStrictEqual(falsified(result), [50])
      }))

    it.effect("a record shrinks every field it does not need", () =>
      Effect.gen(function*() {
        const result = yield* Arbitrary.checkEffect(
          Gen.record({
            gap: Gen.integer({ min: 0, max: 60 }),
            cost: Gen.integer({ min: 1, max: 5 }),
            at: Gen.option(Gen.integer({ min: 0, max: 80 }), { nil: undefined }),
            kind: Gen.constantFrom("a", "b", "c")
          }),
          (r) => r.gap < 30,
          { seed: 2 }
        )
        assert.deepStrictEqual(falsified(result), { gap: 30, cost: 1, at: undefined, kind: "a" })
      }))

    it.effect("oneof and uniqueArray shrink towards their simplest values", () =>
      Effect.gen(function*() {
        const picked = yield* Arbitrary.checkEffect(
          Gen.oneof(Gen.constant(-1), Gen.integer({ min: 5, max: 500 })),
          (n) => n < 100,
          { seed: 3 }
        )
        assert.strictEqual(falsified(picked), 100)
        const unique = yield* Arbitrary.checkEffect(
          Gen.uniqueArray(Gen.integer({ min: 0, max: 9 }), { maxLength: 6 }),
          (xs) => xs.length < 3,
          { seed: 3 }
        )
        assert.strictEqual(falsified(unique).length, 3)
      }))
  })
})

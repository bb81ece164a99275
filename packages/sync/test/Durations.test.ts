import { assert, describe, it } from "@effect/vitest"
import { Duration, Option } from "effect"
import * as Durations from "../src/Durations.js"

describe("Durations", () => {
  it("a negative amount is refused in every form of a Duration.Input; zero, positive and Infinity are kept", () => {
    for (const negative of [-1, Number.NaN, -1n, "-1 millis", " -2 seconds", [-1, 0], [0, -1], [1, -2e9]]) {
      assert.isTrue(Durations.isNegative(negative), String(negative))
      assert.isTrue(Option.isNone(Durations.decodeNonNegative(negative)), String(negative))
    }
    const kept: Array<[unknown, number]> = [[0, 0], [5, 5], [0n, 0], [2_000_000n, 2], ["3 seconds", 3000], [
      [1, -5],
      1000
    ]]
    for (const [input, millis] of kept) {
      const decoded = Durations.decodeNonNegative(input)
      assert.isTrue(Option.isSome(decoded), String(input))
      assert.strictEqual(Math.round(Duration.toMillis(Option.getOrThrow(decoded))), millis, String(input))
    }
    assert.isTrue(Duration.isFinite(Option.getOrThrow(Durations.decodeNonNegative(Infinity))) === false)
    assert.isTrue(Option.isNone(Durations.decodeNonNegative("soon")))
  })
})

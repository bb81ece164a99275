/**
 * The rule by which the limiters on Redis take the numbers a reply or a message tells: the newest
 * version wins, whatever order replies and messages are read in (a reply sent before a resize may
 * be read after the resize's message), and a version read as a string (ioredis's `stringNumbers`)
 * counts as its number.
 */
import { assert, describe, it } from "@effect/vitest"
import { Gen } from "@fiberkit/testkit"
import { Versioned } from "../src/internal/redis/versioned.js"

describe("Versioned: the numbers stored by resize, as a process hears them", () => {
  it.prop(
    "holds the value of the newest version offered (the last of equal ones); an older offer is refused and changes nothing",
    [
      Gen.array(
        Gen.record({
          value: Gen.integer({ min: 1, max: 100 }),
          version: Gen.integer({ min: 0, max: 8 }),
          asString: Gen.boolean
        }),
        { maxLength: 40 }
      )
    ],
    ([offers]) => {
      const numbers = new Versioned(0)
      let newest = 0
      let expected = 0
      for (const { value, version, asString } of offers) {
        const taken = numbers.offer(value, asString ? String(version) : version)
        assert.strictEqual(taken, version >= newest, `offer of version ${version} after ${newest}`)
        if (version >= newest) {
          newest = version
          expected = value
        }
        assert.strictEqual(numbers.value, expected)
      }
    }
  )

  it("an offer without a version (a message of an earlier release) changes nothing", () => {
    const numbers = new Versioned(3)
    assert.isFalse(numbers.offer(5, undefined))
    assert.isFalse(numbers.offer(5, "x"))
    assert.strictEqual(numbers.value, 3)
  })
})

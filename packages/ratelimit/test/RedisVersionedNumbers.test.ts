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

  it("a reply to a request sent after the value held was taken is taken, whatever its version", () => {
    const numbers = new Versioned(2) // make's numbers
    numbers.offer(1, 1_700_000_000_000_000) // a resize heard
    const sent = numbers.mark
    // Redis forgot the resize: make's numbers again, at version 0 (or a later resize's, numbered from there)
    assert.isTrue(numbers.offer(2, 0, sent))
    assert.strictEqual(numbers.value, 2)
    // (a reply to a request sent before it, or a message, is still refused if older)
    const before = numbers.mark
    numbers.offer(5, 7)
    assert.isFalse(numbers.offer(2, 0, before))
    assert.isFalse(numbers.offer(2, 0))
    assert.strictEqual(numbers.value, 5)
  })

  it("an offer without a version (a message of an earlier release) changes nothing", () => {
    const numbers = new Versioned(3)
    assert.isFalse(numbers.offer(5, undefined))
    assert.isFalse(numbers.offer(5, "x"))
    assert.strictEqual(numbers.value, 3)
  })
})

/** What Redis holds: the numbers a resize stored, or `make`'s (value 0, version 0) once none are. */
interface Told {
  readonly value: number
  readonly version: number
  /** The step that made this state: a resize, a loss of the stored numbers, or -1 for `make`'s from the start. */
  readonly since: number
}

const step = Gen.record({
  op: Gen.constantFrom("resize", "lose", "send", "run", "reply", "message"),
  /** Which request on its way runs, or whose reply is read: replies are read in any order. */
  pick: Gen.integer({ min: 0, max: 7 }),
  /** Redis's clock moves by this (back too: a clock stepped back, a failover to another machine). */
  tick: Gen.integer({ min: -3, max: 5 })
})

describe("Versioned: a process following Redis, which may forget what resize stored", () => {
  it.prop(
    "the held numbers go back to an older state only across a loss; a reply sent after the last take is taken; the process ends on Redis's numbers",
    [Gen.array(step, { maxLength: 60 })],
    ([steps]) => {
      const make: Told = { value: 0, version: 0, since: -1 }
      let clock = 10
      let stored: Told | undefined = undefined
      const losses: Array<number> = []
      const numbers = new Versioned<Told>(make)
      const sent: Array<number> = [] // requests on their way to Redis: their marks
      const replies: Array<{ readonly told: Told; readonly sent: number }> = []
      const messages: Array<Told> = [] // pub/sub delivers a channel's messages in order
      const lostBetween = (from: number, to: number) => losses.some((at) => from < at && at <= to)

      const read = (told: Told, mark: number | undefined) => {
        const held = numbers.value
        const fresh = mark === numbers.mark
        const taken = numbers.offer(told, told.version, mark)
        // a reply to a request sent after the value held was taken is newer than it: taken
        if (fresh) assert.isTrue(taken, "a reply sent after the last take was refused")
        if (taken && told.since < held.since) {
          assert.isTrue(lostBetween(told.since, held.since), `state of step ${told.since} took back ${held.since}`)
        }
        assert.strictEqual(numbers.value, taken ? told : held)
      }

      steps.forEach(({ op, pick, tick }, index) => {
        clock = Math.max(1, clock + tick)
        const current = stored ?? make
        if (op === "resize") {
          stored = { value: index + 1, version: Math.max(current.version + 1, clock), since: index }
          messages.push(stored)
        } else if (op === "lose") {
          stored = undefined
          losses.push(index)
        } else if (op === "send") {
          sent.push(numbers.mark)
        } else if (op === "run" && sent.length > 0) {
          const [mark] = sent.splice(pick % sent.length, 1)
          replies.push({ told: stored ?? { ...make, since: losses.at(-1) ?? -1 }, sent: mark! })
        } else if (op === "reply" && replies.length > 0) {
          const [reply] = replies.splice(pick % replies.length, 1)
          read(reply!.told, reply!.sent)
        } else if (op === "message" && messages.length > 0) {
          read(messages.shift()!, undefined)
        }
      })
      // everything on its way arrives; then one more request: the process holds Redis's numbers
      for (const mark of sent) replies.push({ told: stored ?? { ...make, since: losses.at(-1) ?? -1 }, sent: mark })
      for (const reply of replies) read(reply.told, reply.sent)
      for (const message of messages) read(message, undefined)
      const last = numbers.mark
      read(stored ?? { ...make, since: losses.at(-1) ?? -1 }, last)
      assert.strictEqual(numbers.value.value, (stored ?? make).value)
    }
  )
})

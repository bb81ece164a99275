/**
 * The lifetime of a connection a Redis limiter opened (`Connection.hold`, `closeAfterWork`): its
 * scope closing closes it at once when no work holds it, else once the last work holding it — a
 * request from its try to its release, a give-back — is done, so what that work took in Redis is
 * given back over it. No Redis needed: the close is an effect that counts its runs.
 */
import { assert, describe, it } from "@effect/vitest"
import { Gen } from "@fiberkit/testkit"
import { Effect } from "effect"
import type { Redis } from "ioredis"
import { Connection } from "../src/internal/redis/connection.js"

const connection = () => new Connection({} as Redis, "test", 1000)

describe("Connection: closed after the work that holds it", () => {
  it.effect.prop(
    "closed exactly once: when its scope closes with no work, else when the last work ends after that",
    [
      Gen.array(Gen.oneof(Gen.constant("hold" as const), Gen.integer({ min: 0, max: 9 })), { maxLength: 30 }),
      Gen.integer({ min: 0, max: 30 })
    ],
    ([steps, closeAt]) =>
      Effect.gen(function*() {
        const conn = connection()
        let closes = 0
        const close = Effect.sync(() => void closes++)
        const held: Array<() => void> = []
        let busy = 0
        let closeRequested = false
        const check = () => {
          // never closed while work holds it; closed as soon as the scope closed and nothing holds it
          assert.strictEqual(closes, closeRequested && busy === 0 ? 1 : 0)
        }
        for (let i = 0; i <= steps.length; i++) {
          if (i === Math.min(closeAt, steps.length)) {
            closeRequested = true
            yield* conn.closeAfterWork(close)
            yield* Effect.yieldNow
            check()
          }
          const step = steps[i]
          if (step === undefined) continue
          if (step === "hold") {
            if (closes > 0) continue // the connection is gone: no more work on it
            held.push(conn.hold())
            busy++
          } else if (held.length > 0) {
            const done = held.splice(step % held.length, 1)[0]!
            done()
            done() // a second call is ignored
            busy--
          }
          yield* Effect.yieldNow
          check()
        }
        for (const done of held.splice(0)) {
          done()
          busy--
          yield* Effect.yieldNow
          check()
        }
        assert.strictEqual(closes, 1)
      }),
    { arbitrary: { runs: 100 } }
  )

  it.effect("holding: the connection is held while the effect runs, and let go whether it succeeds, fails or is interrupted", () =>
    Effect.gen(function*() {
      const conn = connection()
      let closes = 0
      yield* Effect.exit(conn.holding(Effect.gen(function*() {
        yield* conn.closeAfterWork(Effect.sync(() => void closes++))
        yield* Effect.yieldNow
        assert.strictEqual(closes, 0)
        return yield* Effect.fail("boom")
      })))
      yield* Effect.yieldNow
      assert.strictEqual(closes, 1)
    }))
})

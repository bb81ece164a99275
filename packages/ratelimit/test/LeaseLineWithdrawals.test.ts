/**
 * A waiter that leaves `LeaseLine` while its process's poll is on its way (Redis played by a fake
 * connection, on the TestClock; lease 3 s, poll every second). Redis may run the poll after the
 * withdrawal — the fallback from `EVALSHA` to `EVAL` after `NOSCRIPT` reorders a process's scripts —
 * and the poll then registers the waiter again, at its place. So the waiter is withdrawn once more
 * when the poll's reply comes: its last withdrawal runs after every poll that named it. (The test
 * on Redis is `test-redis/RedisScriptCacheFlushed.test.ts`.)
 */
import { assert, describe, it } from "@effect/vitest"
import { Gen, TestTime } from "@fiberkit/testkit"
import { Effect, Fiber } from "effect"
import { leaseLineOf } from "./redisLines.js"

/** What the fake Redis saw, in order: a poll answered (the members it named), or a withdrawal. */
type Event = { readonly answered: ReadonlyArray<string> } | { readonly withdrawn: string }

describe("LeaseLine: a waiter that leaves while a poll is on its way", () => {
  it.effect.prop(
    "every waiter interrupted is withdrawn after every poll that named it; nobody else is withdrawn",
    [
      Gen.array(
        Gen.option(Gen.integer({ min: 0, max: 4000 }), { nil: undefined }),
        { minLength: 1, maxLength: 4 }
      ),
      Gen.integer({ min: 0, max: 900 })
    ],
    ([interruptAt, pollDelay]) =>
      Effect.gen(function*() {
        const events: Array<Event> = []
        let seq = 0
        const line = yield* leaseLineOf(({ args, operation }) =>
          operation === "acquire"
            ? Effect.succeed([0, `00000000000000${++seq}:id${seq}`, 1, 60_000_000, "0", 0])
            : Effect.as(Effect.sleep(pollDelay), [[], 1, 60_000_000, 0]).pipe(
              Effect.tap(() =>
                Effect.sync(() => events.push({ answered: args.slice(2).filter((_, i) => i % 2 === 0).map(String) }))
              )
            ), (member) => void events.push({ withdrawn: member }))
        yield* TestTime.run(Effect.gen(function*() {
          const waiters: Array<Fiber.Fiber<unknown, unknown>> = []
          for (let i = 0; i < interruptAt.length; i++) {
            waiters.push(yield* Effect.forkChild(Effect.uninterruptibleMask((restore) => line.acquire(0, restore))))
            yield* Effect.yieldNow
          }
          yield* Effect.forEach(interruptAt, (at, i) =>
            at === undefined ? Effect.void : Effect.delay(Fiber.interrupt(waiters[i]!), at), {
            concurrency: "unbounded"
          })
          yield* Effect.sleep(5000) // every poll on its way has answered
          yield* Effect.forEach(waiters, Fiber.interrupt)
        }))
        // every waiter was interrupted: some while polls were on their way, the others at the end
        for (let i = 0; i < interruptAt.length; i++) {
          const member = `00000000000000${i + 1}:id${i + 1}`
          const lastWithdrawal = events.map((event) =>
            "withdrawn" in event ? event.withdrawn : ""
          ).lastIndexOf(member)
          assert.isAtLeast(lastWithdrawal, 0, `${member} was never withdrawn`)
          events.forEach((event, at) => {
            if ("answered" in event && event.answered.includes(member)) {
              assert.isAbove(lastWithdrawal, at, `${member} withdrawn before a poll naming it was answered`)
            }
          })
        }
        const members = new Set(interruptAt.map((_, i) => `00000000000000${i + 1}:id${i + 1}`))
        for (const event of events) if ("withdrawn" in event) assert.isTrue(members.has(event.withdrawn))
      }),
    { arbitrary: { runs: 60 }, timeout: 30_000 }
  )
})

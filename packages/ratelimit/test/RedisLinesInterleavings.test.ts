/**
 * The lines of the limiters on Redis under the schedule explorer — fibers switched between any two
 * ops, one request interrupted before a random op — with Redis played in memory: the rate line
 * (`RateLine`) by the local algorithm, the concurrency line (`LeaseLine`) by a model of the
 * scripts' line whose grants arrive as messages at any moment. The guarantees must hold under
 * every schedule, and nothing may be left waiting, held or registered.
 */
import { assert, describe, it } from "@effect/vitest"
import { Interleavings } from "@fiberkit/testkit"
import { Clock, Effect, Fiber } from "effect"
import { resolve } from "../src/internal/rateLimiter.js"
import type { LeaseLine } from "../src/internal/redis/leaseLine.js"
import { assertAllowed, type Start } from "./guarantees.js"
import { leaseLineOf, rateLineOf } from "./redisLines.js"

const options = { schedules: 150, interrupts: true } as const

describe("Interleavings: the lines of the limiters on Redis", () => {
  for (const algorithm of ["sliding-window", "token-bucket", "gcra"] as const) {
    it.effect(`${algorithm}: a rate line keeps the guarantee and leaves nobody waiting`, () =>
      Interleavings.explore(
        Effect.scoped(Effect.gen(function*() {
          const resolved = yield* Effect.orDie(resolve("test", { limit: 2, interval: 10, algorithm }))
          const line = yield* rateLineOf(resolved)
          const starts: Array<Start> = []
          const request = (cost: number, priority: number) =>
            Effect.orDie(Effect.uninterruptibleMask((restore) =>
              Effect.andThen(
                line.acquire(cost, -priority, restore),
                Effect.flatMap(Clock.currentTimeMillis, (at) => Effect.sync(() => void starts.push({ at, cost })))
              )
            ))
          const fibers = yield* Effect.forEach([[1, 0], [2, 1], [1, 0], [1, 2]] as const, ([cost, priority]) =>
            Interleavings.fork(request(cost, priority)))
          yield* Effect.sleep(5)
          fibers.push(yield* Interleavings.fork(request(1, 0)))
          const exits = yield* Effect.forEach(fibers, Fiber.await)
          assertAllowed(resolved, 10, starts)
          assert.strictEqual(line.waiting, 0)
          const interrupted = exits.filter((exit) =>
            exit._tag === "Failure"
          ).length
          assert.isAtLeast(line.granted, starts.length)
          assert.isAtMost(line.granted, starts.length + interrupted)
        })),
        options
      ))
  }

  it.effect("a lease line: never more inside than the limit, every request not interrupted enters, nothing left held or registered", () =>
    Interleavings.explore(
      Effect.scoped(Effect.gen(function*() {
        // the scripts' line in memory: leases, and waiters in order (all of rank 0); grants published as messages
        const leases = new Set<string>()
        const waiting: Array<string> = []
        let seq = 0
        const context = yield* Effect.context<never>()
        const publish = (granted: Array<string>) => {
          if (granted.length > 0) {
            Effect.runForkWith(context)(Effect.sync(() => line.onMessage(`g ${granted.join(" ")}`)))
          }
        }
        const handOn = () => {
          const granted: Array<string> = []
          while (waiting.length > 0 && leases.size < 1) {
            const member = waiting.shift()!
            leases.add(member)
            granted.push(member)
          }
          publish(granted)
        }
        const script = (operation: string, args: ReadonlyArray<string | number>): unknown => {
          if (operation === "acquire") {
            const id = String(args[2])
            if (waiting.length === 0 && leases.size < 1) {
              leases.add(id)
              return [1, id, 1, 0, ""]
            }
            const member = `${String(++seq).padStart(15, "0")}:${id}`
            waiting.push(member)
            return [0, member, 1, 3_000_000, "0"]
          }
          if (operation === "poll") {
            return [args.filter((member, i) => i >= 2 && i % 2 === 0 && leases.has(String(member))), 1, 3_000_000]
          }
          // "release": a lease or a registration leaves
          const member = String(args[2])
          leases.delete(member)
          const at = waiting.indexOf(member)
          if (at >= 0) waiting.splice(at, 1)
          handOn()
          return 1
        }
        const leave = (member: string) => Effect.sync(() => script("release", [0, 0, member]))
        const line: LeaseLine = yield* leaseLineOf(
          ({ args, operation }) => Effect.andThen(Effect.yieldNow, Effect.sync(() => script(operation, args))),
          (member) => void Effect.runForkWith(context)(Effect.andThen(Effect.yieldNow, leave(member)))
        )
        let inside = 0
        let most = 0
        const entered: Array<number> = []
        const request = (i: number) =>
          Effect.orDie(
            Effect.uninterruptibleMask((restore) =>
              Effect.flatMap(line.acquire(0, restore), ({ member }) =>
                Effect.ensuring(
                  restore(Effect.ensuring(
                    Effect.andThen(
                      Effect.sync(() => {
                        most = Math.max(most, ++inside)
                        entered.push(i)
                      }),
                      Effect.sleep(1)
                    ),
                    Effect.sync(() => inside--)
                  )),
                  leave(member)
                ))
            )
          )
        const fibers = yield* Effect.forEach([0, 1, 2, 3], (i) => Interleavings.fork(request(i)))
        const exits = yield* Effect.forEach(fibers, Fiber.await)
        yield* Effect.sleep(5) // the give-backs of interrupted waiters, in fibers of their own
        assert.isAtMost(most, 1)
        exits.forEach((exit, i) => {
          if (exit._tag === "Success") assert.include(entered, i)
        })
        assert.strictEqual(line.waiting, 0)
        assert.deepStrictEqual({ leases: [...leases], waiting }, { leases: [], waiting: [] })
      })),
      options
    ))
})

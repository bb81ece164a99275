/**
 * Limits shared by real processes on one Redis: three processes send their requests through one
 * sliding window at once, and every start (on the machine's clock, which the processes share) is
 * checked; a process holding the semaphore's permit is killed with SIGKILL, and the permit comes
 * back when its lease expires — not before.
 */
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import * as RedisConcurrencyLimiter from "../src/RedisConcurrencyLimiter.js"
import { exited, startFixture } from "./processes.js"
import { client, freshName, mostWithin, prefix, redisMicros, url } from "./redis.js"

const LIMIT = 10
const PER_PROCESS = 12

describe("limits shared by processes", { concurrent: false }, () => {
  it.live(
    `3 processes × ${PER_PROCESS} requests at once through a sliding window of ${LIMIT} per second: no second holds more than ${LIMIT}`,
    () =>
      Effect.scoped(Effect.gen(function*() {
        const name = yield* freshName("processes")
        const children = yield* Effect.all(
          Array.from(
            { length: 3 },
            () => startFixture("rateProcess.ts", [url(), prefix, name, String(LIMIT), String(PER_PROCESS)], "ready")
          ),
          { concurrency: "unbounded" }
        )
        for (const child of children) child.process.stdin!.write("go\n")
        const codes = yield* Effect.forEach(children, (child) => exited(child.process), { concurrency: "unbounded" })
        assert.deepStrictEqual(codes, [0, 0, 0])
        const perProcess = children.map((child) =>
          child.lines.filter((line) => line.startsWith("start ")).map((line) => Number(line.slice(6)))
        )
        assert.deepStrictEqual(perProcess.map((starts) => starts.length), [PER_PROCESS, PER_PROCESS, PER_PROCESS])
        const starts = perProcess.flat().sort((a, b) => a - b)
        // the processes read each start some time after Redis decided it (on Redis's clock the window
        // is strict; on a loaded machine a reply may come tens of milliseconds late): 50 ms of slack
        assert.isAtMost(mostWithin(starts, 1000 - 50), LIMIT)
        // 36 starts at 10 per second: waves at 0, 1, 2 and 3 s
        const span = starts[starts.length - 1]! - starts[0]!
        assert.isAtLeast(span, 3000 - 50)
        assert.isBelow(span, 3600)
      })),
    60_000
  )

  it.live(
    "a holder process SIGKILLed: its permit comes back when its lease expires, not before",
    () =>
      Effect.scoped(Effect.gen(function*() {
        const name = yield* freshName("sigkill")
        const redis = yield* client
        const leaseMillis = 1500
        const holder = yield* startFixture("holderProcess.ts", [url(), prefix, name, String(leaseMillis)], "holding")
        const limiter = yield* RedisConcurrencyLimiter.make({
          name,
          prefix,
          url: url(),
          concurrency: 1,
          leaseTime: leaseMillis,
          pollInterval: "50 millis"
        })
        assert.strictEqual(yield* limiter.inside, 1)
        holder.process.kill("SIGKILL")
        yield* exited(holder.process)
        // the dead holder's lease, as it last renewed it: when it expires, in Redis's µs
        const [, score] = yield* Effect.promise(() => redis.zrange(`${prefix}:${name}:leases`, "0", "0", "WITHSCORES"))
        const expiry = Number(score)
        const killedAt = yield* redisMicros(redis)
        // renewed every 500 ms: it expires between 1 and 1.5 s after the kill
        assert.isAbove(expiry - killedAt, 900_000)
        assert.isAtMost(expiry - killedAt, 1_500_000)
        assert.strictEqual(yield* limiter.inside, 1)
        const enteredAt = yield* limiter(redisMicros(redis))
        assert.isAtLeast(enteredAt, expiry)
        // found within a poll interval (and a round trip) of the expiry
        assert.isBelow(enteredAt - expiry, 150_000)
        assert.strictEqual(yield* limiter.inside, 0)
      })),
    30_000
  )
})

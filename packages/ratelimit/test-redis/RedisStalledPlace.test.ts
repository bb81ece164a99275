/**
 * Regression test (review 4; failed before the fix): README, "A waiter that dies": "a waiter whose process died (or stalled for longer than
 * `leaseTime`) leaves the line when it expires (a process that was only stalled puts it back in its
 * place at its next poll)". Its place is its member, `<seq>:<id>`, `seq` from `INCR seq`. But the
 * `seq` key expires with the last registration (and a second): a waiter stalled a second past its
 * registration's expiry comes back with a `seq` that the newcomers registered meanwhile were given
 * again from 1 — so it goes behind the requests that arrived after it (or, at an equal `seq`, in
 * the order of the request ids' random strings). While `seq` has not expired it goes ahead of
 * them, as promised. Run on the scripts directly: deterministic. Fixed: `seq` never restarts — a
 * newcomer's is the key's value plus one, or Redis's clock in µs if later.
 */
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { Connection } from "../src/internal/redis/connection.js"
import * as Scripts from "../src/internal/redis/leaseScripts.js"
import type { Script } from "../src/internal/redis/scripts.js"
import { client, freshName, scriptKeys } from "./redis.js"

const LONG = 60_000_000 // µs
const SHORT = 1_000 // µs: the stalled waiter's registration, as its last poll renewed it

describe(
  "RedisConcurrencyLimiter's line, a waiter stalled past its registration",
  { concurrent: false },
  () => {
    it.live("its next poll puts it back ahead of a request that arrived after it", () =>
      Effect.scoped(Effect.gen(function*() {
        const name = yield* freshName("stalled-place")
        const redis = yield* client
        const keys = scriptKeys(name)
        const connection = new Connection(redis, name, 2000)
        const run = (script: Script, lease: number, ...args: Array<string | number>) =>
          connection.run("test", script, keys, [1, lease, ...args])
        // the only permit held, for a minute
        yield* run(Scripts.acquire, LONG, "holder", "1", 0, "0")
        // the first waiter registers; then its process stalls: its registration expires
        const first = (yield* run(Scripts.acquire, SHORT, "zz-first", "1", 0, "0")) as [number, string]
        assert.strictEqual(first[0], 0)
        yield* Effect.sleep("1200 millis")
        // a second request arrives while the first's process is stalled
        const second = (yield* run(Scripts.acquire, LONG, "aa-second", "1", 0, "0")) as [number, string]
        assert.strictEqual(second[0], 0)
        // the first's process wakes up: its poll puts it back "in its place"
        yield* run(Scripts.heartbeat, LONG, first[1], "0")
        const line = yield* Effect.promise(() => redis.zrange(keys[1]!, "0", "-1"))
        assert.deepStrictEqual(line, [first[1], second[1]], "the stalled waiter is put behind a later arrival")
      })))
  }
)

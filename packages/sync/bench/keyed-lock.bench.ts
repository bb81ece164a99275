/**
 * A lock per key (issue 25): 20,000 updates over 100 keys, all started at once, each update
 * pausing for a microtask while it holds its key. `KeyedLock` against the
 * usual hand-made version with async-mutex — a `Map` of `Mutex`es that keeps every key it has
 * seen (async-mutex has no keyed lock) — and `KeyedSemaphore` with one permit.
 */
import { Report } from "@fiberkit/bench"
import { KeyedLock, KeyedSemaphore } from "@fiberkit/sync"
import { Mutex } from "async-mutex"
import * as Effect from "effect/Effect"

const UPDATES = 20_000
const KEYS = 100
const keyOf = (i: number) => `account-${(i * 37) % KEYS}`
const items = Array.from({ length: UPDATES }, (_, i) => i)
const pause = Effect.promise(() => Promise.resolve())

const keyedLock = Effect.runSync(KeyedLock.make<string>())
const keyedSemaphore = Effect.runSync(KeyedSemaphore.make<string>(1))

await Report.main("packages/sync/bench/keyed-lock.bench.ts", [
  {
    title: `${UPDATES.toLocaleString("en")} updates over ${KEYS} keys, all started at once`,
    description: "Each update holds its key's lock across one microtask pause.",
    operations: UPDATES,
    reference: "KeyedLock.withLock",
    rounds: 4,
    contenders: [
      {
        name: "KeyedLock.withLock",
        run: () =>
          Effect.runPromise(
            Effect.forEach(items, (i) => keyedLock.withLock(keyOf(i))(pause), {
              concurrency: "unbounded",
              discard: true
            })
          )
      },
      {
        name: "KeyedSemaphore(1).withPermit",
        run: () =>
          Effect.runPromise(
            Effect.forEach(items, (i) => keyedSemaphore.withPermit(keyOf(i))(pause), {
              concurrency: "unbounded",
              discard: true
            })
          )
      },
      {
        name: "no lock: the fibers and pauses alone (floor)",
        run: () => Effect.runPromise(Effect.forEach(items, () => pause, { concurrency: "unbounded", discard: true }))
      },
      {
        name: "Map of async-mutex Mutexes",
        run: () => {
          const mutexes = new Map<string, Mutex>()
          const mutexOf = (key: string) => {
            let mutex = mutexes.get(key)
            if (mutex === undefined) mutexes.set(key, mutex = new Mutex())
            return mutex
          }
          return Promise.all(items.map((i) => mutexOf(keyOf(i)).runExclusive(() => Promise.resolve())))
        }
      }
    ]
  }
])

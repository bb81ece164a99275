/**
 * `PermitPool` waiters that also need a place in a `Room` (a key's places in a keyed limit): one
 * ranked line across rooms, a waiter of a full room passed over and served once its room has one.
 */
import { assert, describe, it } from "@effect/vitest"
import { Gen, TestTime } from "@fiberkit/testkit"
import { Deferred, Effect, Exit, Fiber } from "effect"
import * as Permits from "../src/Permits.js"

class CountedRoom implements Permits.Room {
  inside = 0
  most = 0
  constructor(public size: number) {}
  hasRoom() {
    return this.inside < this.size
  }
  enter() {
    this.most = Math.max(this.most, ++this.inside)
  }
  leave() {
    this.inside--
  }
}

/** `effect` holding one permit of `pool` and a place in `room`, placed by `rank`; refused: fails "refused". */
const use = <A, E>(pool: Permits.PermitPool, room: Permits.Room, effect: Effect.Effect<A, E>, rank = 0) =>
  Effect.uninterruptibleMask((restore) =>
    pool.takeThen(
      1,
      restore,
      Effect.ensuring(restore(effect), Effect.sync(() => pool.release(1, room))),
      rank,
      Effect.fail("refused" as const),
      room
    )
  )

const fork = <A, E>(effect: Effect.Effect<A, E>) => Effect.tap(Effect.forkChild(effect), () => Effect.yieldNow)

describe("Permits with rooms", () => {
  it.effect("a waiter of a full room is passed over; once its room has a place it is served by rank", () =>
    Effect.gen(function*() {
      const pool = new Permits.PermitPool(2)
      const a = new CountedRoom(1)
      const b = new CountedRoom(1)
      const gate = yield* Deferred.make<void>()
      const order: Array<string> = []
      const record = (name: string) => Effect.sync(() => void order.push(name))
      const a1 = yield* fork(use(pool, a, Effect.andThen(record("a1"), Deferred.await(gate))))
      const a2 = yield* fork(use(pool, a, record("a2"), -5)) // room a is full: waits, first in line
      assert.isFalse(pool.canTake(1, a))
      assert.isTrue(pool.canTake(1, b))
      const b1 = yield* fork(use(pool, b, Effect.andThen(record("b1"), Deferred.await(gate)), 5))
      // a2 waits aside while its room is full: the pool's line holds only those it can serve
      assert.deepStrictEqual([pool.free, pool.waiting, pool.waiters.size, order], [0, 1, 0, ["a1", "b1"]])
      const b2 = yield* fork(use(pool, b, record("b2"), 1))
      yield* Deferred.succeed(gate, undefined)
      yield* Fiber.joinAll([a1, a2, b1, b2])
      // a1 and b1 left in the same step: a2 (rank -5) and b2 (rank 1) both had room
      assert.deepStrictEqual(order, ["a1", "b1", "a2", "b2"])
      assert.deepStrictEqual([pool.free, a.inside, b.inside, a.most, b.most], [2, 0, 0, 1, 1])
    }))

  it.effect("serve() lets in the waiters of a room that grew", () =>
    Effect.gen(function*() {
      const pool = new Permits.PermitPool(3)
      const a = new CountedRoom(1)
      const gate = yield* Deferred.make<void>()
      const fibers = [
        yield* fork(use(pool, a, Deferred.await(gate))),
        yield* fork(use(pool, a, Deferred.await(gate)))
      ]
      assert.deepStrictEqual([a.inside, pool.waiting], [1, 1])
      a.size = 2
      pool.serve()
      assert.deepStrictEqual([a.inside, pool.waiting], [2, 0])
      yield* Deferred.succeed(gate, undefined)
      yield* Fiber.joinAll(fibers)
      assert.deepStrictEqual([a.inside, pool.free], [0, 3])
    }))

  it.effect.prop(
    "property: ranks, rooms, refusals and interruptions — no room or pool over its size, every place and permit back, every waiter ends",
    [
      Gen.integer({ min: 1, max: 3 }),
      Gen.array(Gen.integer({ min: 1, max: 2 }), { minLength: 3, maxLength: 3 }),
      Gen.array(
        Gen.record({
          room: Gen.integer({ min: 0, max: 2 }),
          rank: Gen.integer({ min: 0, max: 3 }),
          duration: Gen.integer({ min: 0, max: 10 }),
          interruptAfter: Gen.option(Gen.integer({ min: 0, max: 15 }), { nil: undefined })
        }),
        { maxLength: 16 }
      ),
      Gen.array(Gen.integer({ min: 0, max: 15 }), { maxLength: 3 })
    ],
    ([permits, sizes, uses, refusals]) =>
      Effect.gen(function*() {
        const pool = new Permits.PermitPool(permits)
        const rooms = sizes.map((size) => new CountedRoom(size))
        let inside = 0
        let most = 0
        let refused = 0
        yield* TestTime.run(Effect.gen(function*() {
          const fibers = yield* Effect.forEach(uses, (u) =>
            Effect.forkChild(use(
              pool,
              rooms[u.room]!,
              Effect.ensuring(
                Effect.andThen(Effect.sync(() => void (most = Math.max(most, ++inside))), Effect.sleep(u.duration)),
                Effect.sync(() => void inside--)
              ),
              u.rank
            )))
          const events = [
            ...uses.map((u, i) =>
              u.interruptAfter === undefined
                ? Effect.void
                : Effect.andThen(Effect.sleep(u.interruptAfter), Fiber.interrupt(fibers[i]!))
            ),
            ...refusals.map((at) =>
              Effect.andThen(Effect.sleep(at), Effect.sync(() => void (pool.refuseOldest() && refused++)))
            )
          ]
          yield* Effect.forEach(events, (event) => Effect.forkChild(event))
          const exits = yield* Effect.forEach(fibers, Fiber.await)
          const failures = exits.filter((exit) => Exit.isFailure(exit) && !Exit.hasInterrupts(exit))
          assert.strictEqual(failures.length, refused)
        }))
        assert.isAtMost(most, permits)
        rooms.forEach((room) => assert.isAtMost(room.most, room.size))
        assert.deepStrictEqual([inside, pool.waiting, pool.free], [0, 0, permits])
        assert.deepStrictEqual(rooms.map((room) => room.inside), [0, 0, 0])
      }),
    { arbitrary: { runs: 100 }, timeout: 30_000 }
  )
})

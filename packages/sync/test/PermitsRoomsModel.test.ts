/**
 * `PermitPool` with rooms against a model of its promise, written the plain way: one line of every
 * waiter by rank then arrival, a hand-off walking it from the head, passing over each waiter whose
 * room is full and stopping at the first that does not fit. The pool keeps only each room's first
 * in its line and the others aside; whatever arrives, ends, is interrupted, refused or resized, the
 * same waiters must be inside, the same waiting, the same permits free.
 */
import { assert, describe, it } from "@effect/vitest"
import { Gen } from "@fiberkit/testkit"
import { Deferred, Effect, Exit, Fiber } from "effect"
import * as Permits from "../src/Permits.js"

class SizedRoom implements Permits.Room {
  inside = 0
  constructor(public size: number) {}
  hasRoom() {
    return this.inside < this.size
  }
  enter() {
    this.inside++
  }
  leave() {
    this.inside--
  }
}

interface ModelWaiter {
  readonly id: number
  readonly room: number
  readonly rank: number
  readonly n: number
  alone: boolean
}

/** The promise, the plain way: one line, the waiters of full rooms passed over. */
class Model {
  line: Array<ModelWaiter> = []
  inside = new Map<number, ModelWaiter>()
  /** Every waiter let in, in order. */
  log: Array<number> = []
  roomInside: Array<number>
  constructor(public free: number, public total: number, public sizes: Array<number>) {
    this.roomInside = sizes.map(() => 0)
  }
  hasRoom(room: number) {
    return this.roomInside[room]! < this.sizes[room]!
  }
  arrive(w: ModelWaiter) {
    const servable = this.line.some((o) => this.hasRoom(o.room))
    if (this.free >= w.n && this.hasRoom(w.room) && !servable) return this.enter(w)
    const at = this.line.findIndex((o) => o.rank > w.rank)
    this.line.splice(at === -1 ? this.line.length : at, 0, w)
    this.grant()
  }
  enter(w: ModelWaiter) {
    this.free -= w.n
    this.roomInside[w.room]!++
    this.inside.set(w.id, w)
    this.log.push(w.id)
  }
  release(id: number) {
    const w = this.inside.get(id)!
    this.inside.delete(id)
    this.free += w.n
    this.roomInside[w.room]!--
    this.grant()
  }
  leave(id: number) {
    this.line = this.line.filter((w) => w.id !== id)
    this.grant()
  }
  resize(delta: number) {
    this.free += delta
    this.total += delta
    if (delta < 0) this.line.forEach((w) => w.n > this.total && (w.alone = true))
    this.grant()
  }
  grant() {
    for (const w of [...this.line]) {
      if (!this.hasRoom(w.room)) continue
      if (!(this.free >= w.n || (w.alone && this.total > 0 && this.free >= this.total))) return
      this.line.splice(this.line.indexOf(w), 1)
      this.enter(w)
    }
  }
}

const step = Gen.oneof(
  {
    arbitrary: Gen.record({
      arrive: Gen.integer({ min: 0, max: 2 }),
      rank: Gen.integer({ min: 0, max: 2 }),
      n: Gen.integer({ min: 1, max: 2 })
    }),
    weight: 6
  },
  { arbitrary: Gen.record({ finish: Gen.integer({ min: 0, max: 20 }) }), weight: 4 },
  { arbitrary: Gen.record({ interrupt: Gen.integer({ min: 0, max: 20 }) }), weight: 2 },
  { arbitrary: Gen.constant({ refuse: true } as const), weight: 1 },
  {
    arbitrary: Gen.record({ room: Gen.integer({ min: 0, max: 2 }), size: Gen.integer({ min: 0, max: 3 }) }),
    weight: 1
  },
  { arbitrary: Gen.record({ resize: Gen.integer({ min: -1, max: 1 }) }), weight: 1 }
)

const settle = Effect.repeat(Effect.yieldNow, { times: 4 })

describe("Permits with rooms, against a model", () => {
  it.effect.prop(
    "property: arrivals, ends, interruptions, refusals, room and pool resizes — the waiters the model serves, in its order",
    [
      Gen.integer({ min: 1, max: 3 }),
      Gen.array(Gen.integer({ min: 1, max: 2 }), { minLength: 3, maxLength: 3 }),
      Gen.array(step, { maxLength: 40 })
    ],
    ([permits, sizes, steps]) =>
      Effect.gen(function*() {
        const pool = new Permits.PermitPool(permits)
        const rooms = sizes.map((size) => new SizedRoom(size))
        const model = new Model(permits, permits, [...sizes])
        const entered: Array<number> = []
        const refused: Array<number> = []
        const gates = new Map<number, Deferred.Deferred<void>>()
        const fibers = new Map<number, Fiber.Fiber<void, string>>()
        const waiting = () => [...fibers.keys()].filter((id) => !model.inside.has(id))
        const refuse = (id: number) => Effect.suspend(() => Effect.fail(`refused ${refused.push(id)}`))
        let next = 0
        for (const s of steps) {
          if ("arrive" in s) {
            const id = next++
            const gate = yield* Deferred.make<void>()
            const room = rooms[s.arrive]!
            const body = Effect.ensuring(
              Effect.andThen(Effect.sync(() => void entered.push(id)), Deferred.await(gate)),
              Effect.sync(() => pool.release(s.n, room))
            )
            gates.set(id, gate)
            fibers.set(
              id,
              yield* Effect.forkChild(
                Effect.uninterruptibleMask((restore) =>
                  pool.takeThen(s.n, restore, restore(body), s.rank, refuse(id), room)
                )
              )
            )
            model.arrive({ id, room: s.arrive, rank: s.rank, n: s.n, alone: false })
          } else if ("finish" in s) {
            const inside = [...model.inside.keys()]
            if (inside.length === 0) continue
            const id = inside[s.finish % inside.length]!
            yield* Deferred.succeed(gates.get(id)!, undefined)
            yield* Fiber.join(fibers.get(id)!)
            fibers.delete(id)
            model.release(id)
          } else if ("interrupt" in s) {
            const ids = waiting()
            if (ids.length === 0) continue
            const id = ids[s.interrupt % ids.length]!
            yield* Fiber.interrupt(fibers.get(id)!)
            fibers.delete(id)
            model.leave(id)
          } else if ("refuse" in s) {
            const ids = waiting()
            assert.strictEqual(pool.refuseOldest(), ids.length > 0)
            if (ids.length === 0) continue
            const oldest = Math.min(...ids)
            yield* settle
            assert.deepStrictEqual(refused.splice(0), [oldest], "the oldest is refused")
            assert.isTrue(Exit.isFailure(yield* Fiber.await(fibers.get(oldest)!)))
            fibers.delete(oldest)
            model.leave(oldest)
          } else if ("room" in s) {
            rooms[s.room]!.size = model.sizes[s.room] = s.size
            pool.serve()
            model.grant()
          } else {
            if (model.total + s.resize < 1) continue
            pool.resize(s.resize)
            model.resize(s.resize)
          }
          yield* settle
          assert.deepStrictEqual(entered, model.log)
          assert.deepStrictEqual(
            [pool.free, pool.waiting, rooms.map((room) => room.inside)],
            [model.free, model.line.length, model.roomInside]
          )
        }
        for (const gate of gates.values()) yield* Deferred.succeed(gate, undefined)
        for (const fiber of fibers.values()) yield* Fiber.interrupt(fiber)
        assert.deepStrictEqual([pool.free, pool.waiting, pool.waiters.size], [model.total, 0, 0])
      }),
    { arbitrary: { runs: 150 }, timeout: 30_000 }
  )
})

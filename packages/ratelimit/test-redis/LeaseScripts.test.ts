/**
 * The concurrency limiter's scripts against a sequential model of the fair line: random sequences
 * of acquires (at random ranks, allowed to wait or not), acquires sent again (as ioredis resends a
 * command whose reply it lost), leaves (by member, or by request id), resizes and polls, run one
 * by one on Redis. After every script Redis holds exactly the model's leases and line, in the
 * model's order (rank, then arrival), each request registered once (`ids` maps the request id of
 * each member of the line to it), and the invariant of the hand-on holds: the line is empty or no
 * permit is free.
 */
import { assert, describe, it } from "@effect/vitest"
import { Gen } from "@fiberkit/testkit"
import { Effect } from "effect"
import { Connection } from "../src/internal/redis/connection.js"
import * as Scripts from "../src/internal/redis/leaseScripts.js"
import { client, freshName, scriptKeys } from "./redis.js"

const LEASE = 60_000_000 // µs: nothing expires during a run

interface Waiter {
  readonly member: string
  readonly rank: number
  readonly seq: number
}

/** The line as the scripts should keep it: leases held, waiters by rank then arrival, permits handed to the heads. */
class Model {
  limit = 2
  seq = 0
  readonly leases = new Set<string>()
  line: Array<Waiter> = []

  handOn(): void {
    while (this.line.length > 0 && this.leases.size < this.limit) this.leases.add(this.line.shift()!.member)
  }

  /** The member registered for request `id`, if it still waits or holds the lease handed to it. */
  memberOf(id: string): string | undefined {
    const members = [...this.leases, ...this.line.map((waiter) => waiter.member)]
    return members.find((member) => member.endsWith(`:${id}`) && /^\d{16}:/.test(member))
  }

  /** `given`: the member the script registered — its 16-digit `seq` above every earlier one (it never restarts). */
  acquire(id: string, rank: number, mayWait: boolean, given: string): "taken" | "registered" | "refused" {
    this.handOn()
    // sent again: what its first run made is renewed, nothing registered again
    const known = this.memberOf(id)
    if (known !== undefined) return this.leases.has(known) ? "taken" : "registered"
    if (this.leases.has(id) || (this.line.length === 0 && this.leases.size < this.limit)) {
      this.leases.add(id)
      return "taken"
    }
    if (!mayWait) return "refused"
    const seq = Number(given.slice(0, 16))
    assert.match(given, new RegExp(`^\\d{16}:${id}$`), "a member is <16-digit seq>:<id>")
    assert.isAbove(seq, this.seq, "seq grows")
    this.seq = seq
    this.line.push({ member: given, rank, seq })
    this.line.sort((a, b) => a.rank - b.rank || a.seq - b.seq)
    return "registered"
  }

  leave(member: string): void {
    this.leases.delete(member)
    this.line = this.line.filter((waiter) => waiter.member !== member)
    this.handOn()
  }

  /** Whatever request `id` took or registered as. */
  leaveById(id: string): void {
    const known = this.memberOf(id)
    if (known !== undefined) this.leases.delete(known)
    this.leases.delete(id)
    this.line = this.line.filter((waiter) => waiter.member !== known)
    this.handOn()
  }
}

const op = Gen.record({
  kind: Gen.integer({ min: 0, max: 9 }),
  rank: Gen.integer({ min: -2, max: 0 }),
  mayWait: Gen.boolean,
  pick: Gen.integer({ min: 0, max: 1000 }),
  size: Gen.integer({ min: 1, max: 4 })
})

describe("the concurrency limiter's scripts", { concurrent: false }, () => {
  it.live.prop(
    "property: after every script, Redis's leases and line are the model's, and the line is empty or no permit is free",
    [Gen.array(op, { minLength: 1, maxLength: 40 })],
    ([ops]) =>
      Effect.scoped(Effect.gen(function*() {
        const name = yield* freshName("model")
        const redis = yield* client
        const connection = new Connection(redis, name, 2000)
        const keys = scriptKeys(name)
        const run = (script: typeof Scripts.acquire, args: ReadonlyArray<string | number>) =>
          connection.run("test", script, keys, [2, LEASE, ...args])
        const model = new Model()
        const known: Array<string> = [] // ids and members ever seen, to leave
        const sent: Array<{ readonly id: string; readonly rank: number; readonly mayWait: boolean }> = []
        const acquire = (step: number, id: string, rank: number, mayWait: boolean) =>
          Effect.gen(function*() {
            const [taken, member] = (yield* run(Scripts.acquire, [id, mayWait ? "1" : "0", rank, "0"])) as [
              number,
              string
            ]
            const registered = model.memberOf(id)
            const expected = model.acquire(id, rank, mayWait, member)
            assert.strictEqual(
              taken === 1 ? "taken" : member === "" ? "refused" : "registered",
              expected,
              `step ${step}`
            )
            // sent again, it answers the member its first run registered
            if (registered !== undefined) assert.strictEqual(member, registered, `step ${step}: sent again`)
            if (member !== "") known.push(member)
          })
        for (const [step, { kind, mayWait, pick, rank, size }] of ops.entries()) {
          if (kind <= 3 || (kind === 4 && sent.length === 0)) {
            const id = `id${step}`
            sent.push({ id, rank, mayWait })
            yield* acquire(step, id, rank, mayWait)
          } else if (kind === 4) {
            const again = sent[pick % sent.length]!
            yield* acquire(step, again.id, again.rank, again.mayWait)
          } else if (kind <= 6 && known.length > 0) {
            const member = known[pick % known.length]!
            yield* run(Scripts.leave, [member, "0"])
            model.leave(member)
          } else if (kind === 7 && sent.length > 0) {
            const { id } = sent[pick % sent.length]!
            yield* run(Scripts.leave, [id, "1"])
            model.leaveById(id)
          } else if (kind === 8) {
            yield* run(Scripts.resize, [size])
            model.limit = size
            model.handOn()
          } else {
            const waiting = model.line.flatMap((waiter) => [waiter.member, String(waiter.rank)])
            const [granted] = (yield* run(Scripts.heartbeat, waiting)) as [Array<string>]
            assert.deepStrictEqual(granted, [], `step ${step}: a poll finds no grant the scripts had not made`)
          }
          const [leases, line, waiters, ids] = yield* Effect.promise(() =>
            Promise.all([
              redis.zrange(keys[0]!, "0", "-1"),
              redis.zrange(keys[1]!, "0", "-1"),
              redis.zrange(keys[2]!, "0", "-1"),
              redis.hgetall(keys[5]!)
            ])
          )
          const registered = [...line, ...leases].filter((member) => /^\d{16}:/.test(member))
          assert.deepStrictEqual(
            ids,
            Object.fromEntries(registered.map((member) => [member.slice(17), member])),
            `step ${step}: ids`
          )
          assert.deepStrictEqual([...leases].sort(), [...model.leases].sort(), `step ${step}: leases`)
          assert.deepStrictEqual(line, model.line.map((waiter) => waiter.member), `step ${step}: line`)
          assert.deepStrictEqual([...waiters].sort(), [...line].sort(), `step ${step}: registrations`)
          assert.isTrue(line.length === 0 || leases.length >= model.limit, `step ${step}: a free permit and a waiter`)
        }
      })),
    { timeout: 60_000, arbitrary: { runs: 40 } }
  )
})

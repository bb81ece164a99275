import type { PendingLimitExceeded } from "@fiberkit/sync/Errors"
import type { Room } from "@fiberkit/sync/Permits"
import * as Priority from "@fiberkit/sync/Priority"
import * as Effect from "effect/Effect"
import { InvalidOptions } from "../Errors.js"
import type * as Api from "../KeyedConcurrencyLimiter.js"
import { LimitCore } from "./limitCore.js"
import { recording } from "./recording.js"
import { resolveSteering } from "./steering.js"

const isCount = (n: unknown): n is number => Number.isSafeInteger(n) && (n as number) >= 1

const invalid = (operation: string, field: string, value: unknown) =>
  Effect.fail(new InvalidOptions({ operation, field, expected: "an integer ≥ 1", value }))

/** The permits of a limiter without a global cap: more than can ever be inside. */
const UNCAPPED = Number.MAX_SAFE_INTEGER

/**
 * A key's places: how many of its effects are inside (or handed a place, about to resume) and how
 * many are inside or waiting — the key is forgotten when none is.
 */
class KeyRoom implements Room {
  inside = 0
  users = 0

  constructor(private readonly limits: { perKey: number }) {}

  hasRoom(): boolean {
    return this.inside < this.limits.perKey
  }

  enter(): void {
    this.inside++
  }

  leave(): void {
    this.inside--
  }
}

/**
 * One `LimitCore` of `global` permits (more than can ever be used when there is no cap) whose
 * single line holds every waiting effect of every key, by rank and arrival — the rank taken once,
 * at arrival. An effect is served when it heads the line among those whose key has room (a
 * `KeyRoom` of `perKey` places): a waiter of a full key is passed over, never held back by, nor
 * holding back, anyone else — so priorities and first come, first served hold across keys, and a
 * hot key still takes at most `perKey` of the global permits. `maxPending` bounds that one line.
 * (The pool keeps each key's waiters beyond its first aside, in their order, so a hot key's long
 * line costs no release or arrival of another key a walk.)
 *
 * @internal
 */
export const make = <K>(
  options: Api.KeyedConcurrencyLimiter.Options
): Effect.Effect<Api.KeyedConcurrencyLimiter<K, PendingLimitExceeded>, InvalidOptions> =>
  Effect.suspend(() => {
    const op = "KeyedConcurrencyLimiter.make"
    // read once: the numbers checked are the numbers used
    const { global, perKey } = options
    if (!isCount(perKey)) return invalid(op, "perKey", perKey)
    if (global !== undefined && !isCount(global)) return invalid(op, "global", global)
    const capped = global !== undefined
    const limits = { perKey }
    const rooms = new Map<K, KeyRoom>()
    return Effect.zipWith(
      resolveSteering(op, options),
      recording("KeyedConcurrencyLimiter", options.name),
      ({ agingMillis, maxPending, onFull }, recorded) => {
        // the limit over all keys: the global cap, if any (unset without one)
        if (global !== undefined) recorded?.limited(global)
        const core = new LimitCore(global ?? UNCAPPED, {
          source: "KeyedConcurrencyLimiter",
          maxPending,
          onFull
        })
        const ranking = new Priority.Ranking("KeyedConcurrencyLimiter.withPriority", agingMillis)
        // a key is in use from the step its effect arrives to the step it is done, or has left the
        // line (refused, shed, interrupted) — a use dropped by a newcomer leaves in the newcomer's
        // step, not when its own fiber resumes
        const within = <A, E, R>(key: K, effect: Effect.Effect<A, E, R>, rank: number) =>
          Effect.uninterruptibleMask((restore) =>
            Effect.suspend(() => {
              let room = rooms.get(key)
              if (room === undefined) {
                room = new KeyRoom(limits)
                rooms.set(key, room)
              }
              room.users++
              const used = room
              let gone = false
              const leave = () => {
                if (gone) return
                gone = true
                if (--used.users === 0 && rooms.get(key) === used) rooms.delete(key)
              }
              return Effect.ensuring(restore(core.enter(effect, rank, used, leave)), Effect.sync(leave))
            })
          )
        const run = <A, E, R>(key: K, effect: Effect.Effect<A, E, R>, priority: number) =>
          ranking.withRank(priority, (rank) =>
            recorded === undefined
              ? within(key, effect, rank)
              : recorded.track((started) => within(key, Effect.andThen(started, effect), rank)))
        const byKey = (key: K) => <A, E, R>(effect: Effect.Effect<A, E, R>) => run(key, effect, 0)
        const limiter = Object.assign(byKey, {
          withPriority: (key: K, priority: number) => <A, E, R>(effect: Effect.Effect<A, E, R>) =>
            run(key, effect, priority),
          inside: (key: K) => Effect.sync(() => rooms.get(key)?.inside ?? 0),
          waiting: (key: K) =>
            Effect.sync(() => {
              const room = rooms.get(key)
              return room === undefined ? 0 : core.pool.waitingIn(room)
            }),
          waitingAll: Effect.sync(() => core.waiting),
          keys: Effect.sync(() => rooms.size),
          insideAll: Effect.sync(() => core.inside),
          // the sizes are read once, when it runs (an effect may be built before, and run again):
          // the sizes checked are the sizes set
          resize: (sizes: Api.KeyedConcurrencyLimiter.Sizes) =>
            Effect.suspend(() => {
              const { global, perKey } = sizes
              const operation = "KeyedConcurrencyLimiter.resize"
              if (perKey !== undefined && !isCount(perKey)) return invalid(operation, "perKey", perKey)
              if (global !== undefined && (!capped || !isCount(global))) {
                return Effect.fail(
                  new InvalidOptions({
                    operation,
                    field: "global",
                    expected: capped ? "an integer ≥ 1" : "no global limit: the limiter was made without one",
                    value: global
                  })
                )
              }
              // both limits set before anyone is let in: serving under one new limit and the other
              // old one could let waiters in beyond the new pair, or pass a waiter of a key that
              // grew (the pool puts every key's first in line before it serves). A grow lets the
              // waiters of keys that were full in at once; a shrink preempts no one.
              if (perKey !== undefined) limits.perKey = perKey
              if (global !== undefined) {
                core.resize(global)
                recorded?.limited(global)
              } else if (perKey !== undefined) core.serve()
              return Effect.void
            })
        })
        return Object.defineProperties(limiter, {
          perKey: { get: () => limits.perKey, enumerable: true },
          global: { get: () => capped ? core.total : undefined, enumerable: true }
        }) as typeof limiter & { readonly perKey: number; readonly global: number | undefined }
      }
    )
  })

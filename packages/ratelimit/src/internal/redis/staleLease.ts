import type * as Handoff from "@fiberkit/sync/Handoff"
import type * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import { RedisLimiterUnavailable } from "../../Errors.js"
import type { Connection } from "./connection.js"
import { integer, monotonicMillis } from "./connection.js"
import * as Scripts from "./leaseScripts.js"

/** How many times a request renews a stale lease, or asks again for one gone, before it fails. */
const MAX_RENEWALS = 3

/** What a renewal of a stale lease found (see `StaleLeases.renew`). @internal */
export type Renewal =
  /** The lease lasts `leaseTime` from `sentAt`, and did not expire before the reply was read. */
  | { readonly _tag: "Held"; readonly sentAt: number }
  /** The renewal's reply came `leaseTime` or more after it was sent: the lease may have expired again. */
  | { readonly _tag: "Late" }
  /** Redis says the lease expired: the request asks again. */
  | { readonly _tag: "Gone" }

/** @internal */
export interface StaleLeaseOptions {
  readonly name: string
  readonly limit: number
  readonly leaseMillis: number
  readonly clock: Clock.Clock
  readonly giveBack: (member: string, byId: boolean) => void
}

/**
 * The rule that keeps an effect from starting on a lease that may have expired: a lease dated (from
 * when the script that took or last renewed it was sent) two thirds of `leaseTime` ago or more is
 * stale — its reply or its grant was read after a stall of this process — and is renewed before its
 * request starts (which still counts as waiting). A renewal on its way can be interrupted; the lease
 * is then given back, as when the renewal fails.
 *
 * @internal
 */
export class StaleLeases {
  private readonly leaseMicros: number

  constructor(
    private readonly connection: Connection,
    private readonly keys: ReadonlyArray<string>,
    private readonly options: StaleLeaseOptions
  ) {
    this.leaseMicros = options.leaseMillis * 1000
  }

  /** Whether a lease known to last `leaseTime` from `takenAt` may be too close to its expiry to start on. */
  stale(takenAt: number): boolean {
    return monotonicMillis(this.options.clock) - takenAt >= this.options.leaseMillis * 2 / 3
  }

  /** Whether a request has renewed (or asked again) as often as it may: it fails with `tooSlow`. */
  exhausted(renewals: number): boolean {
    return renewals >= MAX_RENEWALS
  }

  /**
   * Renews `member`'s lease: `Held` if the renewal, dated from its sending, is less than `leaseTime`
   * ago as its reply is read (a reply a round trip of two thirds of `leaseTime` or more later would
   * find it stale again: renewed for ever — so the caller bounds its renewals by `exhausted`).
   */
  renew(member: string, restore: Handoff.Restore): Effect.Effect<Renewal, RedisLimiterUnavailable> {
    return Effect.suspend(() => {
      const sentAt = monotonicMillis(this.options.clock)
      return restore(
        this.connection.run("renew", Scripts.renew, this.keys, [this.options.limit, this.leaseMicros, member])
      ).pipe(
        Effect.onError(() => Effect.sync(() => this.options.giveBack(member, false))),
        Effect.map((held): Renewal =>
          integer(held) !== 1
            ? { _tag: "Gone" }
            : monotonicMillis(this.options.clock) - sentAt < this.options.leaseMillis
            ? { _tag: "Held", sentAt }
            : { _tag: "Late" }
        )
      )
    })
  }

  tooSlow(): RedisLimiterUnavailable {
    return new RedisLimiterUnavailable({
      limiter: this.options.name,
      operation: "renew",
      cause: new Error(`no lease outlived its renewal's round trip, ${MAX_RENEWALS} times: Redis answers too slowly`)
    })
  }
}

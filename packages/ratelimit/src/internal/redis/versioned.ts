import { integer } from "./connection.js"

/**
 * Numbers stored in Redis by `resize`, as this process last heard them, with their version (see
 * `Scripts`): while they are stored, each resize's version is above every earlier one, and a
 * reply without stored numbers (`make`'s apply) says version 0.
 *
 * A message or a reply is taken unless its version is below the one held — a reply whose script
 * ran before a resize, read after that resize's message, does not take the resize back. But a
 * version below can be newer too: Redis forgot the stored numbers (their day-long expiry, a
 * restart without persistence) and answers `make`'s at version 0 — or a later resize's, whose
 * version started again from there. So a reply to a request sent after the numbers held were
 * taken is taken whatever its version: the script that told them (whose reply was read, or whose
 * message was heard, before the request was sent) ran before the request's own. A reply is thus
 * refused only if something was taken while it was on its way, and the next request's reply is
 * taken unless something is taken again meanwhile: the process follows Redis, never for good
 * behind it.
 *
 * @internal
 */
export class Versioned<A> {
  private version = 0
  /** How many offers were taken: a request sent when it still reads the same is newer than the value held. */
  private taken = 0
  /** Told each value taken (see `follow`). */
  private follower: ((value: A) => void) | undefined = undefined

  constructor(public value: A) {}

  /** Tells `follower` the value now, then every value taken from now on (one follower: a later one replaces it). */
  follow(follower: (value: A) => void): void {
    this.follower = follower
    follower(this.value)
  }

  /** Read just before a request is sent; given back to `offer` with its reply. */
  get mark(): number {
    return this.taken
  }

  /**
   * Takes `value` unless `version` (a number or a string) is older and the request was not sent
   * after the value held was taken (`sent`, its `mark`; none for a message): whether it was taken.
   */
  offer(value: A, version: unknown, sent?: number): boolean {
    const of = integer(version)
    if (!Number.isFinite(of) || (of < this.version && sent !== this.taken)) return false
    this.version = of
    this.value = value
    this.taken++
    this.follower?.(value)
    return true
  }
}

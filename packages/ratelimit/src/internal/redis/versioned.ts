import { integer } from "./connection.js"

/**
 * Numbers stored in Redis by `resize`, as this process last heard them, with their version (see
 * `Scripts`): each resize's version is above every earlier one. A reply or a message tells the
 * numbers and their version; numbers older than those held — a reply whose script ran before a
 * resize, read after that resize's message — are ignored.
 *
 * @internal
 */
export class Versioned<A> {
  private version = 0

  constructor(public value: A) {}

  /** Takes `value` unless `version` (a script's reply, a number or a string) is older: whether it was taken. */
  offer(value: A, version: unknown): boolean {
    const of = integer(version)
    if (!(of >= this.version)) return false
    this.version = of
    this.value = value
    return true
  }
}

import type { PermitWaiter, Room } from "../Permits.js"
import { Ranked } from "../WaitQueue.js"

/** The waiters of one room: its first in the pool's line (while the room has a place), the others aside. */
interface RoomLine {
  first: PermitWaiter | undefined
  readonly aside: Ranked<PermitWaiter>
}

/** Whether `a` is served before `b`: a lower rank, or the same and an earlier arrival. */
const before = (a: PermitWaiter, b: PermitWaiter): boolean => a.rank < b.rank || (a.rank === b.rank && a.seq < b.seq)

/** Places `waiter` in `line` at its rank, among equal ranks by arrival: where it would have stood had it never left. */
const placeIn = (line: Ranked<PermitWaiter>, waiter: PermitWaiter): void => {
  waiter.line = line
  line.pushAmong(waiter, (other) => other.seq > waiter.seq)
}

/**
 * The waiters of a `PermitPool` who need a place in a room, kept so that the pool's line holds
 * only waiters it can serve once permits are free: for each room with a place, its best waiter
 * (lowest rank, then earliest arrival) stands in the pool's line, at the place it would have had
 * from its arrival; every other waiter of the room waits aside in the room's own ranked line.
 * Each change that may alter who that is — an arrival, the first served, a place given back, a
 * waiter leaving unserved, a room resized — puts the room right (`seat`), so the pool's hand-off
 * serves from the head and never walks past a waiter of a full room. A room's line is forgotten
 * once nobody of it waits.
 *
 * @internal
 */
export class RoomLines {
  private readonly byRoom = new Map<Room, RoomLine>()
  /** How many wait aside. */
  aside = 0

  /** `waiters`: the pool's line. */
  constructor(private readonly waiters: Ranked<PermitWaiter>) {}

  /** A new waiter of `room` (its `room`): queued aside, or in the pool's line if it is now its room's first. */
  join(waiter: PermitWaiter, room: Room): void {
    let line = this.byRoom.get(room)
    if (line === undefined) {
      line = { first: undefined, aside: new Ranked() }
      this.byRoom.set(room, line)
    }
    this.setAside(waiter, line)
    this.putRight(room, line)
  }

  /** `room`'s first was served (it entered its room): the next may step up. */
  served(room: Room): void {
    const line = this.byRoom.get(room)!
    line.first = undefined
    this.putRight(room, line)
  }

  /**
   * `waiter` (of `room`) left unserved — it is out of its line already: `true` if it stood in the
   * pool's line (its room's next may have stepped up, the pool's head may have changed).
   */
  left(waiter: PermitWaiter, room: Room): boolean {
    const line = this.byRoom.get(room)!
    if (line.first === waiter) {
      line.first = undefined
      this.putRight(room, line)
      return true
    }
    this.aside--
    this.forgetIfIdle(room, line)
    return false
  }

  /** Puts `room` right after its places changed: a place given back, or the room found full. */
  seat(room: Room): void {
    const line = this.byRoom.get(room)
    if (line !== undefined) this.putRight(room, line)
  }

  /** Puts every room right: after rooms were resized. */
  seatAll(): void {
    for (const [room, line] of this.byRoom) this.putRight(room, line)
  }

  /** How many of `room`'s waiters wait: its first in the pool's line, and those aside. */
  waitingIn(room: Room): number {
    const line = this.byRoom.get(room)
    return line === undefined ? 0 : (line.first === undefined ? 0 : 1) + line.aside.size
  }

  /** The lines of waiters aside, one per room. */
  *asideLines(): Iterable<Ranked<PermitWaiter>> {
    for (const line of this.byRoom.values()) yield line.aside
  }

  /** Its best waiter in the pool's line if the room has a place, none if it is full; forgotten when empty. */
  private putRight(room: Room, line: RoomLine): void {
    const first = line.first
    const best = line.aside.first
    if (!room.hasRoom()) {
      if (first !== undefined) this.stepDown(first, line)
    } else if (best !== undefined && (first === undefined || before(best, first))) {
      if (first !== undefined) this.stepDown(first, line)
      line.aside.remove(best)
      this.aside--
      placeIn(this.waiters, best)
      line.first = best
    }
    this.forgetIfIdle(room, line)
  }

  private stepDown(first: PermitWaiter, line: RoomLine): void {
    this.waiters.remove(first)
    line.first = undefined
    this.setAside(first, line)
  }

  private setAside(waiter: PermitWaiter, line: RoomLine): void {
    placeIn(line.aside, waiter)
    this.aside++
  }

  private forgetIfIdle(room: Room, line: RoomLine): void {
    if (line.first === undefined && line.aside.size === 0) this.byRoom.delete(room)
  }
}

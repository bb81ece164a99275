/**
 * The last `capacity` items pushed, oldest first; older ones are dropped and counted. A push is
 * one array write, whatever the size.
 * @internal
 */
export class Ring<A> {
  private readonly items: Array<A | undefined>
  private next = 0
  private size = 0
  dropped = 0

  constructor(readonly capacity: number) {
    this.items = new Array(capacity)
  }

  push(item: A): void {
    if (this.size === this.capacity) this.dropped++
    else this.size++
    this.items[this.next] = item
    this.next = this.next + 1 === this.capacity ? 0 : this.next + 1
  }

  toArray(): Array<A> {
    const start = this.size === this.capacity ? this.next : 0
    const out: Array<A> = new Array(this.size)
    for (let i = 0; i < this.size; i++) out[i] = this.items[(start + i) % this.capacity]!
    return out
  }

  clear(): void {
    this.items.fill(undefined)
    this.next = 0
    this.size = 0
    this.dropped = 0
  }
}

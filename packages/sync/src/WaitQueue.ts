/**
 * The waiting line every fiberkit primitive uses: a FIFO queue of waiters with O(1) push, shift
 * and removal from anywhere (an interrupted waiter leaves from the middle). Nodes carry their own
 * links, so removal needs no search. A low-level building block for writing new primitives: it
 * is plain mutable data, to be used inside `Effect.sync` / `Effect.callback` of a single runtime.
 *
 * @since 0.1.0
 */

/**
 * A waiter: any object with these three fields (start them as `undefined`, `undefined`, `false`).
 *
 * **Example**
 *
 * ```ts
 * import { WaitQueue } from "@fiberkit/sync"
 *
 * // a waiter carries its own links: it starts unlinked and not queued
 * class Ticket implements WaitQueue.Node {
 *   prev: WaitQueue.Node | undefined = undefined
 *   next: WaitQueue.Node | undefined = undefined
 *   queued = false
 *   constructor(readonly id: number) {}
 * }
 * const line = new WaitQueue.WaitQueue<Ticket>()
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface Node {
  prev: Node | undefined
  next: Node | undefined
  queued: boolean
}

/**
 * A FIFO line of waiters, linked through the waiters' own `prev` / `next` fields.
 *
 * **Example**
 *
 * ```ts
 * import { WaitQueue } from "@fiberkit/sync"
 *
 * interface Waiter extends WaitQueue.Node { readonly name: string }
 * const line = new WaitQueue.WaitQueue<Waiter>()
 * const a: Waiter = { name: "a", prev: undefined, next: undefined, queued: false }
 * line.push(a)
 * line.remove(a) // true: it was waiting
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export class WaitQueue<A extends Node> {
  private head: A | undefined = undefined
  private tail: A | undefined = undefined
  /** How many nodes are queued. */
  size = 0

  /** The longest waiter, without taking it out. */
  get first(): A | undefined {
    return this.head
  }

  /** The newest waiter, without taking it out. */
  get last(): A | undefined {
    return this.tail
  }

  /**
   * Queues `node` just before `before` (a queued node), or at the back when `before` is
   * `undefined`: for lines kept in an order other than arrival, such as by priority.
   */
  insertBefore(node: A, before: A | undefined): void {
    if (before === undefined) return this.push(node)
    node.prev = before.prev
    node.next = before
    node.queued = true
    if (before.prev === undefined) this.head = node
    else before.prev.next = node
    before.prev = node
    this.size++
  }

  /** Queues `node` at the back. */
  push(node: A): void {
    node.prev = this.tail
    node.next = undefined
    node.queued = true
    if (this.tail === undefined) this.head = node
    else this.tail.next = node
    this.tail = node
    this.size++
  }

  /** Takes the longest waiter out of the line; `undefined` if none waits. */
  shift(): A | undefined {
    const node = this.head
    if (node !== undefined) this.remove(node)
    return node
  }

  /** Removes `node` if it is still queued; returns whether it was. */
  remove(node: A): boolean {
    if (!node.queued) return false
    if (node.prev === undefined) this.head = node.next as A | undefined
    else node.prev.next = node.next
    if (node.next === undefined) this.tail = node.prev as A | undefined
    else node.next.prev = node.prev
    node.prev = node.next = undefined
    node.queued = false
    this.size--
    return true
  }

  /** Takes every node out, in order. */
  drain(): Array<A> {
    const all: Array<A> = []
    while (this.head !== undefined) all.push(this.shift()!)
    return all
  }
}

/**
 * 1,000,000 items through a queue of capacity 100: 1 producer, 4 consumers. Each run ends when
 * every item has been taken (the producer sends one end marker per consumer). Item by item
 * (put / take) and batched (100 at a time: putAll / takeBatch, offerAll / takeBetween or takeAll).
 * Effect 4's `Queue` is Effect 3's `Mailbox`: it has one item-by-item row and two batched rows.
 */
import { Report } from "@fiberkit/bench"
import { JoinableQueue } from "@fiberkit/queue"
import * as Effect from "effect/Effect"
import * as Queue from "effect/Queue"

const ITEMS = 1_000_000
const CAPACITY = 100
const CONSUMERS = 4
const BATCH = 100
const END = -1

let checksum = 0

const counter = () => ({ n: 0 })

const produce = (put: (n: number) => Effect.Effect<unknown, unknown>) => {
  const i = counter()
  return Effect.andThen(
    Effect.whileLoop({ while: () => i.n < ITEMS, body: () => put(i.n++), step: () => {} }),
    Effect.forEach(Array.from({ length: CONSUMERS }), () => put(END), { discard: true })
  )
}

const produceBatched = (putAll: (items: Array<number>) => Effect.Effect<unknown, unknown>) => {
  const i = counter()
  return Effect.andThen(
    Effect.whileLoop({
      while: () => i.n < ITEMS,
      body: () => {
        const batch: Array<number> = new Array(BATCH)
        for (let k = 0; k < BATCH; k++) batch[k] = i.n++
        return putAll(batch)
      },
      step: () => {}
    }),
    putAll(Array.from({ length: CONSUMERS }, () => END))
  )
}

const consume = (take: Effect.Effect<number, unknown>) => {
  const state = { done: false }
  return Effect.whileLoop({
    while: () => !state.done,
    body: () => take,
    step: (n: number) => {
      if (n === END) state.done = true
      else checksum += n
    }
  })
}

/** Stops at the first end marker; extra markers in the same batch go back for the others. */
const consumeBatched = (
  takeUpTo: Effect.Effect<Iterable<number>, unknown>,
  putAll: (items: Array<number>) => Effect.Effect<unknown, unknown>
) =>
  Effect.gen(function*() {
    while (true) {
      let ends = 0
      for (const n of yield* takeUpTo) {
        if (n === END) ends++
        else checksum += n
      }
      if (ends > 0) return ends > 1 ? yield* putAll(Array.from({ length: ends - 1 }, () => END)) : undefined
    }
  })

const run = <E>(producer: Effect.Effect<unknown, E>, consumer: Effect.Effect<unknown, E>) =>
  Effect.runPromise(
    Effect.all([producer, ...Array.from({ length: CONSUMERS }, () => consumer)], { concurrency: "unbounded" })
  )

/** A plain promise-based bounded queue: the floor for an async queue in JavaScript. */
class PromiseQueue<A> {
  private items: Array<A> = []
  private takers: Array<(a: A) => void> = []
  private putters: Array<() => void> = []
  constructor(private readonly capacity: number) {}
  async put(item: A): Promise<void> {
    while (this.items.length >= this.capacity) await new Promise<void>((resolve) => this.putters.push(resolve))
    const taker = this.takers.shift()
    if (taker !== undefined) taker(item)
    else this.items.push(item)
  }
  async take(): Promise<A> {
    if (this.items.length > 0) {
      const item = this.items.shift()!
      this.putters.shift()?.()
      return item
    }
    return new Promise<A>((resolve) => this.takers.push(resolve))
  }
}

const results = await Report.main("packages/queue/bench/queue.bench.ts", [{
  title: `${ITEMS.toLocaleString("en")} items through capacity ${CAPACITY}, 1 producer / ${CONSUMERS} consumers`,
  description: "Per operation = one item (put + take). Batched rows move 100 items per call. " +
    "Effect's Queue (Effect 3's Mailbox) is batched with `takeBetween(1, 100)` and with `takeAll` " +
    "(everything available, at most the capacity). " +
    "The promise queue is a minimal hand-written bounded queue of promises, for scale. " +
    "A checksum of the items taken is printed, so no contender can skip work.",
  operations: ITEMS,
  reference: process.env.ONLY ?? "fiberkit JoinableQueue",
  rounds: 3,
  iterations: 2,
  time: 200,
  contenders: ([
    {
      name: "fiberkit JoinableQueue",
      run: () => {
        const queue = Effect.runSync(JoinableQueue.make<number>({ capacity: CAPACITY }))
        return run(produce(queue.put), consume(queue.take))
      }
    },
    {
      name: "fiberkit JoinableQueue, batched",
      run: () => {
        const queue = Effect.runSync(JoinableQueue.make<number>({ capacity: CAPACITY }))
        return run(produceBatched(queue.putAll), consumeBatched(queue.takeBatch(BATCH), queue.putAll))
      }
    },
    {
      name: "Effect Queue.bounded",
      run: () => {
        const queue = Effect.runSync(Queue.bounded<number>(CAPACITY))
        return run(produce((n) => Queue.offer(queue, n)), consume(Queue.take(queue)))
      }
    },
    {
      name: "Effect Queue.bounded, batched",
      run: () => {
        const queue = Effect.runSync(Queue.bounded<number>(CAPACITY))
        const offerAll = (items: Array<number>) => Queue.offerAll(queue, items)
        return run(produceBatched(offerAll), consumeBatched(Queue.takeBetween(queue, 1, BATCH), offerAll))
      }
    },
    {
      name: "Effect Queue.bounded, batched with takeAll",
      run: () => {
        const queue = Effect.runSync(Queue.bounded<number>(CAPACITY))
        const offerAll = (items: Array<number>) => Queue.offerAll(queue, items)
        return run(produceBatched(offerAll), consumeBatched(Queue.takeAll(queue), offerAll))
      }
    },
    {
      name: "promise-based bounded queue",
      run: async () => {
        const queue = new PromiseQueue<number>(CAPACITY)
        const producer = async () => {
          for (let i = 0; i < ITEMS; i++) await queue.put(i)
          for (let c = 0; c < CONSUMERS; c++) await queue.put(END)
        }
        const consumer = async () => {
          while (true) {
            const n = await queue.take()
            if (n === END) return
            checksum += n
          }
        }
        await Promise.all([producer(), ...Array.from({ length: CONSUMERS }, consumer)])
      }
    }
  ] as const).filter((c) => process.env.ONLY === undefined || c.name === process.env.ONLY)
}])
process.stdout.write(`checksum ${checksum} over ${results.length} suite(s)\n`)

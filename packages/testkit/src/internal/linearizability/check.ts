import type * as Api from "../../Linearizability.js"

type Op<I, O> = Api.Operation<I, O>
type Model<S, I, O> = Api.Model<S, I, O>

const keyOf = <S>(model: Api.Model<S, unknown, unknown>, state: S): string =>
  model.key !== undefined ? model.key(state) : JSON.stringify(state)

/**
 * Wing & Gong's search, with Lowe's memoisation (as in Porcupine): linearize, one at a time, an
 * operation that was called before every unlinearized operation returned, and backtrack; a
 * (set of linearized operations, state) pair already explored is not explored again. Pending
 * operations, and those whose output is unknown (`undefined`: interrupted, timed out), may take
 * effect at any point after their call, or never.
 *
 * @internal
 */
export const linearize = <S, I, O>(
  model: Api.Model<S, I, O>,
  operations: ReadonlyArray<Op<I, O>>
): ReadonlyArray<Op<I, O>> | undefined => {
  const ops = [...operations].sort((a, b) => a.call - b.call)
  const n = ops.length
  const completed = ops.reduce((mask, op, i) => (op.output === undefined ? mask : mask | (1n << BigInt(i))), 0n)
  const seen = new Set<string>()
  const order: Array<Op<I, O>> = []
  const search = (state: S, done: bigint): boolean => {
    if ((done & completed) === completed) return true
    // the next one to take effect was called before every operation still to come had returned
    // (only those whose output is known: one whose effect is unknown may also never take effect)
    let horizon = Number.POSITIVE_INFINITY
    for (let i = 0; i < n; i++) {
      const bit = 1n << BigInt(i)
      if ((done & bit) === 0n && (completed & bit) !== 0n && ops[i]!.returned < horizon) horizon = ops[i]!.returned
    }
    for (let i = 0; i < n; i++) {
      const bit = 1n << BigInt(i)
      const op = ops[i]!
      if ((done & bit) !== 0n || op.call > horizon) continue
      const next = model.step(state, op.input, op.output)
      if (next === undefined) continue
      const key = `${done | bit}|${keyOf(model as Api.Model<S, unknown, unknown>, next)}`
      if (seen.has(key)) continue
      seen.add(key)
      order.push(op)
      if (search(next, done | bit)) return true
      order.pop()
    }
    return false
  }
  return search(model.init, 0n) ? order : undefined
}

/**
 * The shortest failing prefix of a history: the operations called up to the first moment at which
 * no order explains what has happened so far (those still running then shown as pending). A
 * prefix is a real history: unlike dropping operations from the middle, it never fails only
 * because an item's put was dropped.
 *
 * @internal
 */
export const minimize = <S, I, O>(
  model: Model<S, I, O>,
  operations: ReadonlyArray<Op<I, O>>
): ReadonlyArray<Op<I, O>> => {
  const times = [...new Set(operations.flatMap((op) => [op.call, op.returned]))]
    .filter(Number.isFinite)
    .sort((a, b) => a - b)
  for (const cut of times) {
    const prefix = operations
      .filter((op) => op.call <= cut)
      .map((op) => (op.returned <= cut ? op : { ...op, output: undefined, returned: Infinity }))
    if (linearize(model, prefix) === undefined) return prefix
  }
  return operations
}

/**
 * A picture of a history: one row per operation, its bar from call to return on a shared axis of
 * events (a pending operation runs to the right edge).
 *
 * @internal
 */
export const render = <I, O>(
  operations: ReadonlyArray<Op<I, O>>,
  describe: (input: I, output: O | undefined) => string
): string => {
  const times = [...new Set(operations.flatMap((op) => [op.call, op.returned]))].sort((a, b) => a - b)
  const column = (time: number) => times.indexOf(time) * 4
  const end = column(times[times.length - 1]!) + 1
  const width = Math.max(...operations.map((op) => String(op.process).length), 7)
  const rows = [...operations].sort((a, b) => a.call - b.call).map((op) => {
    const from = column(op.call)
    const to = Number.isFinite(op.returned) ? column(op.returned) : end
    const bar = " ".repeat(from) + "|" + "-".repeat(Math.max(0, to - from - 1)) +
      (Number.isFinite(op.returned) ? "|" : ">")
    return `${String(op.process).padEnd(width)} ${bar.padEnd(end + 2)} ${describe(op.input, op.output)}`
  })
  return [`${"process".padEnd(width)} time →`, ...rows].join("\n")
}

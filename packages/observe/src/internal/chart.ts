/**
 * The layout both renderers share: rows (named lanes in natural order, lane-less records packed
 * into the fewest rows), times relative to the first submission, nice axis ticks and durations
 * written with units.
 */
import type * as Recorder from "@fiberkit/sync/Recorder"

/**
 * One task, its times in milliseconds from the layout's origin (the earliest `queuedAt`), with
 * `queued ≤ started ≤ ended`.
 *
 * @internal
 */
export interface Bar {
  readonly record: Recorder.TaskRecord
  /** The task's label, safe to print (no control characters, no lone surrogates). */
  readonly label: string
  readonly queued: number
  readonly started: number
  readonly ended: number
}

/** @internal */
export interface Row {
  /** `<source> <group> · <lane>`, safe to print. */
  readonly title: string
  /** The index of the row's (source, group) among the groups, in order of first appearance. */
  readonly group: number
  /** The bars in the row, by `queued`. */
  readonly bars: ReadonlyArray<Bar>
}

/** @internal */
export type Unit = "µs" | "ms" | "s"

/** @internal */
export interface Tick {
  /** Milliseconds from the origin. */
  readonly at: number
  readonly label: string
}

/** @internal */
export interface Axis {
  /** The last tick, ≥ the span: the time at the right edge of the plot. */
  readonly end: number
  readonly unit: Unit
  readonly ticks: ReadonlyArray<Tick>
}

/** @internal */
export interface Layout {
  readonly rows: ReadonlyArray<Row>
  readonly tasks: number
  /** From the earliest `queuedAt` to the latest `endedAt`, in milliseconds. */
  readonly span: number
  /** The sum of all waits, in milliseconds. */
  readonly totalWait: number
  readonly axis: Axis
}

// C0 and C1 controls, DEL, lone surrogates and the non-characters U+FFFE / U+FFFF: none of them
// may appear in XML, and none of them prints as one cell on a terminal

const UNPRINTABLE =
  /[\u0000-\u001f\u007f-\u009f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g

/**
 * Replaces every character that can be neither written in XML nor printed in one cell with U+FFFD.
 *
 * @internal
 */
export const printable = (text: string): string => text.replace(UNPRINTABLE, "\ufffd")

/**
 * Compares strings with their runs of digits compared as numbers: `worker 2` before `worker 10`.
 *
 * @internal
 */
export const naturalCompare = (a: string, b: string): number => {
  const as = a.split(/(\d+)/)
  const bs = b.split(/(\d+)/)
  for (let i = 0; i < Math.min(as.length, bs.length); i++) {
    const x = as[i]!
    const y = bs[i]!
    if (x === y) continue
    // the split puts digit runs at odd indices
    if (i % 2 === 1) {
      const xn = x.replace(/^0+(?=\d)/, "")
      const yn = y.replace(/^0+(?=\d)/, "")
      if (xn.length !== yn.length) return xn.length - yn.length
      if (xn !== yn) return xn < yn ? -1 : 1
    } else {
      return x < y ? -1 : 1
    }
  }
  return as.length !== bs.length ? as.length - bs.length : a < b ? -1 : a > b ? 1 : 0
}

/**
 * Packs bars into the fewest rows: by submission time, each bar goes into the lowest-numbered row
 * whose bars have all ended by its `queued` — a row is free from its last `ended` on (intervals
 * are half-open), so a wait never shares a row with a bar it overlaps. Greedy by start time is
 * optimal for intervals: the row count is the most bars waiting or running at one instant.
 *
 * @internal
 */
export const pack = (bars: ReadonlyArray<Bar>): Array<Array<Bar>> => {
  const sorted = bars.slice().sort((a, b) => a.queued - b.queued || a.started - b.started || a.ended - b.ended)
  const rows: Array<Array<Bar>> = []
  const freeFrom: Array<number> = []
  for (const bar of sorted) {
    let i = 0
    while (i < rows.length && freeFrom[i]! > bar.queued) i++
    if (i === rows.length) {
      rows.push([])
      freeFrom.push(0)
    }
    rows[i]!.push(bar)
    freeFrom[i] = bar.ended
  }
  return rows
}

const UNIT_EXPONENT: Record<Unit, number> = { "µs": 3, "ms": 0, "s": -3 }

const trimZeros = (fixed: string): string => fixed.includes(".") ? fixed.replace(/\.?0+$/, "") : fixed

/**
 * The unit to write a time of `ms` milliseconds in: µs below 1 ms, s from 1000 ms on.
 *
 * @internal
 */
export const unitFor = (ms: number): Unit => ms < 1 ? "µs" : ms < 1000 ? "ms" : "s"

/**
 * A duration in its unit with 3 significant digits at most: `850 µs`, `12.5 ms`, `1.5 s`.
 *
 * @internal
 */
export const formatDuration = (ms: number): string => {
  if (ms === 0) return "0 ms"
  for (const unit of ["µs", "ms"] as const) {
    const value = ms * 10 ** UNIT_EXPONENT[unit]
    const text = formatSignificant(value)
    if (Math.abs(Number(text)) < 1000) return `${text} ${unit}`
  }
  return `${formatSignificant(ms / 1000)} s`
}

const formatSignificant = (value: number): string => {
  const size = Math.abs(value)
  return trimZeros(value.toFixed(size >= 100 ? 0 : size >= 10 ? 1 : 2))
}

/**
 * Writes `ms` in `unit`, with `decimals` decimals at most.
 *
 * @internal
 */
export const formatIn = (ms: number, unit: Unit, decimals: number): string =>
  `${trimZeros((ms * 10 ** UNIT_EXPONENT[unit]).toFixed(decimals))} ${unit}`

// at most this many steps, so at most MAX_STEPS + 1 ticks; with steps of 1, 2 and 5 × 10^k the
// smallest step that fits gives more than MAX_STEPS / 2.5 steps, so 5 ticks at least
const MAX_STEPS = 9

/**
 * The axis for a span: the smallest step of 1, 2 or 5 × 10^k giving at most 9 steps (5 to 10
 * ticks from 0), the end rounded up to a whole step, labels in the unit of the end.
 *
 * @internal
 */
export const axis = (span: number): Axis => {
  // below a microsecond (or nothing at all) the axis still reads 0 … 1 µs
  const s = Math.max(span, 0.001)
  let exponent = Math.floor(Math.log10(s / MAX_STEPS)) - 1
  let mantissa = 1
  const stepOf = () => mantissa * 10 ** exponent
  // the tolerance keeps a span of exactly n steps from counting n + 1 through rounding
  const stepsOf = () => Math.max(1, Math.ceil(s / stepOf() - 1e-9))
  while (stepsOf() > MAX_STEPS) {
    if (mantissa === 1) mantissa = 2
    else if (mantissa === 2) mantissa = 5
    else {
      mantissa = 1
      exponent++
    }
  }
  const steps = stepsOf()
  // i × mantissa is exact, and so is a power of ten ≥ 1: one rounding at most, the same for every use
  const at = (i: number): number => exponent >= 0 ? i * mantissa * 10 ** exponent : (i * mantissa) / 10 ** -exponent
  const end = at(steps)
  const unit = unitFor(end)
  // the step in the unit is mantissa × 10^(exponent + unit exponent): that many decimals show it
  const decimals = Math.max(0, -(exponent + UNIT_EXPONENT[unit]))
  const ticks: Array<Tick> = []
  for (let i = 0; i <= steps; i++) ticks.push({ at: at(i), label: formatIn(at(i), unit, decimals) })
  return { end, unit, ticks }
}

const hasFiniteTimes = (record: Recorder.TaskRecord): boolean =>
  Number.isFinite(record.queuedAt) && Number.isFinite(record.startedAt) && Number.isFinite(record.endedAt)

const rowTitle = (source: string, group: string, lane: string): string =>
  [[source, group].filter((part) => part !== "").join(" "), lane].filter((part) => part !== "").join(" · ")

interface Group {
  readonly source: string
  readonly group: string
  readonly lanes: Map<string, Array<Bar>>
  readonly unlaned: Array<Bar>
}

/**
 * Lays records out in rows: groups by (source, group) in order of first appearance, in each its
 * named lanes in natural order, then its lane-less records packed into rows `#1`, `#2` …
 * Records with a non-finite time are left out; a record starting before it was queued counts as
 * queued when it started, one ending before it started as ending when it started.
 *
 * @internal
 */
export const layout = (records: ReadonlyArray<Recorder.TaskRecord>): Layout => {
  const kept = records.filter(hasFiniteTimes)
  let origin = Infinity
  for (const record of kept) origin = Math.min(origin, record.queuedAt, record.startedAt)
  const groups = new Map<string, Group>()
  let span = 0
  let totalWait = 0
  for (const record of kept) {
    const started = record.startedAt - origin
    const bar: Bar = {
      record,
      label: printable(record.label),
      queued: Math.min(record.queuedAt - origin, started),
      started,
      ended: Math.max(record.endedAt - origin, started)
    }
    span = Math.max(span, bar.ended)
    totalWait += bar.started - bar.queued
    const key = `${record.source}\u0000${record.group}`
    let group = groups.get(key)
    if (group === undefined) {
      group = { source: printable(record.source), group: printable(record.group), lanes: new Map(), unlaned: [] }
      groups.set(key, group)
    }
    if (record.lane === undefined) {
      group.unlaned.push(bar)
    } else {
      const lane = group.lanes.get(record.lane)
      if (lane === undefined) group.lanes.set(record.lane, [bar])
      else lane.push(bar)
    }
  }
  const rows: Array<Row> = []
  let index = 0
  for (const group of groups.values()) {
    for (const lane of Array.from(group.lanes.keys()).sort(naturalCompare)) {
      const bars = group.lanes.get(lane)!.slice().sort((a, b) => a.queued - b.queued)
      rows.push({ title: rowTitle(group.source, group.group, printable(lane)), group: index, bars })
    }
    pack(group.unlaned).forEach((bars, i) => {
      rows.push({ title: rowTitle(group.source, group.group, `#${i + 1}`), group: index, bars })
    })
    index++
  }
  return { rows, tasks: kept.length, span, totalWait, axis: axis(span) }
}

const plural = (n: number, one: string, many: string): string => `${n} ${n === 1 ? one : many}`

/**
 * `6 tasks`, `4 lanes`, `span 60 ms`, `total wait 30 ms`.
 *
 * @internal
 */
export const summary = (layout: Layout): ReadonlyArray<string> => [
  plural(layout.tasks, "task", "tasks"),
  plural(layout.rows.length, "lane", "lanes"),
  `span ${formatDuration(layout.span)}`,
  `total wait ${formatDuration(layout.totalWait)}`
]

/**
 * Cuts `text` to `max` characters (code points), ending it with `…` when cut.
 *
 * @internal
 */
export const truncate = (text: string, max: number): string => {
  const chars = Array.from(text)
  return chars.length <= max ? text : chars.slice(0, Math.max(0, max - 1)).join("") + "…"
}

/**
 * The length of `text` in code points.
 *
 * @internal
 */
export const length = (text: string): number => Array.from(text).length

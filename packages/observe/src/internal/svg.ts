/**
 * The SVG Gantt chart: a standalone document, one row per lane, waits hatched under their task's
 * bar, a time axis with nice ticks and units, a legend.
 */
import type * as Recorder from "@fiberkit/sync/Recorder"
import type * as Api from "../Chart.js"
import type { Bar, Layout } from "./chart.js"
import { formatDuration, layout, length, printable, summary, truncate } from "./chart.js"

/** @internal */
export const DEFAULT_WIDTH = 960
/** @internal */
export const MIN_WIDTH = 320
/** @internal */
export const DEFAULT_TITLE = "Timeline"

/** @internal */
export const COLORS: Readonly<Record<Recorder.Outcome, string>> = {
  success: "#2da44e",
  failure: "#cf222e",
  interrupted: "#d4a72c"
}

const MARGIN = 16
const TOP = 72
const ROW = 22
const BAR = 14
const WAIT = 8
const AXIS = 40
const RIGHT = 40
/** The advance of one character of the 12px monospace font, near enough. */
const CHAR = 7.2
const FONT = "ui-monospace, SFMono-Regular, Menlo, Consolas, monospace"
const HATCH = "fiberkit-wait-hatch"
const WAIT_FILL = `url(#${HATCH})`

const ENTITIES: Readonly<Record<string, string>> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  "\"": "&quot;",
  "'": "&apos;"
}

/**
 * Text made safe for XML character data and attribute values.
 *
 * @internal
 */
export const escapeXml = (text: string): string => printable(text).replace(/[&<>"']/g, (c) => ENTITIES[c]!)

/** Hundredths of a pixel, written without float noise. */
const px = (hundredths: number): string => String(hundredths / 100)

const widthOf = (options: Api.SvgOptions | undefined): number => {
  const width = options?.width
  return width === undefined || !Number.isFinite(width) ? DEFAULT_WIDTH : Math.max(MIN_WIDTH, Math.round(width))
}

const svgDocument = (width: number, height: number, title: string, body: Array<string>): string =>
  [
    `<?xml version="1.0" encoding="UTF-8"?>`,
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}"` +
    ` font-family="${FONT}" font-size="12" role="img">`,
    `<title>${escapeXml(title)}</title>`,
    `<rect class="background" x="0" y="0" width="${width}" height="${height}" fill="#ffffff"/>`,
    `<text class="title" x="${MARGIN}" y="24" font-size="15" font-weight="bold" fill="#1f2328">${
      escapeXml(title)
    }</text>`,
    ...body,
    `</svg>`,
    ""
  ].join("\n")

const legend = (): Array<string> => {
  const items: Array<readonly [string, string]> = [
    ["success", COLORS.success],
    ["failure", COLORS.failure],
    ["interrupted", COLORS.interrupted],
    ["waiting", WAIT_FILL]
  ]
  const out: Array<string> = [`<g class="legend">`]
  let x = MARGIN
  for (const [name, fill] of items) {
    out.push(
      `<rect class="legend-swatch" x="${x}" y="51" width="10" height="10" fill="${fill}"/>`,
      `<text class="legend-label" x="${x + 16}" y="60" fill="#1f2328">${name}</text>`
    )
    x += 16 + Math.ceil(name.length * CHAR) + 20
  }
  out.push(`</g>`)
  return out
}

const defs = (): string =>
  `<defs><pattern id="${HATCH}" patternUnits="userSpaceOnUse" width="6" height="6" patternTransform="rotate(45)">` +
  `<rect width="6" height="6" fill="#eaeef2"/><line x1="0" y1="0" x2="0" y2="6" stroke="#8c959f" stroke-width="2"/>` +
  `</pattern></defs>`

/** @internal */
export const svg = (records: ReadonlyArray<Recorder.TaskRecord>, options?: Api.SvgOptions): string => {
  const width = widthOf(options)
  const title = options?.title ?? DEFAULT_TITLE
  const chart = layout(records)
  if (chart.rows.length === 0) {
    return svgDocument(width, 80, title, [
      `<text class="empty" x="${MARGIN}" y="56" fill="#57606a">no tasks recorded</text>`
    ])
  }
  return svgDocument(width, TOP + chart.rows.length * ROW + AXIS, title, body(chart, width))
}

const body = (chart: Layout, width: number): Array<string> => {
  const { axis, rows } = chart
  const chars = Math.min(
    Math.max(4, Math.floor((width * 0.4) / CHAR)),
    rows.reduce((longest, row) => Math.max(longest, length(row.title)), 0)
  )
  const plotLeft = MARGIN + Math.ceil(chars * CHAR) + 12
  const plotRight = width - RIGHT
  const plotBottom = TOP + rows.length * ROW
  // positions in hundredths of a pixel, so that rounding never takes a bar past the plot's edge
  const left = plotLeft * 100
  const right = plotRight * 100
  const xOf = (t: number): number => Math.round(left + (t / axis.end) * (right - left))

  const out: Array<string> = [
    defs(),
    `<text class="summary" x="${MARGIN}" y="42" fill="#57606a">${escapeXml(summary(chart).join(" · "))}</text>`,
    ...legend()
  ]
  rows.forEach((row, i) => {
    if (i % 2 === 1) {
      out.push(
        `<rect class="band" x="${MARGIN}" y="${TOP + i * ROW}" width="${plotRight - MARGIN}" height="${ROW}"` +
          ` fill="#f6f8fa"/>`
      )
    }
  })
  for (const tick of axis.ticks) {
    const x = px(xOf(tick.at))
    out.push(`<line class="grid" x1="${x}" y1="${TOP}" x2="${x}" y2="${plotBottom}" stroke="#eaeef2"/>`)
  }
  rows.forEach((row, i) => {
    const y = TOP + i * ROW
    if (i > 0 && row.group !== rows[i - 1]!.group) {
      out.push(`<line class="group-separator" x1="${MARGIN}" y1="${y}" x2="${plotRight}" y2="${y}" stroke="#8c959f"/>`)
    }
    const label = truncate(row.title, chars)
    out.push(
      `<g class="lane" data-lane="${escapeXml(row.title)}">`,
      `<text class="lane-label" x="${MARGIN}" y="${y + 15}" fill="#1f2328">${escapeXml(label)}${
        label === row.title ? "" : `<title>${escapeXml(row.title)}</title>`
      }</text>`
    )
    // waits first: a bar drawn later covers any wait it overlaps in a worker's row
    for (const bar of row.bars) {
      if (bar.started > bar.queued) out.push(wait(bar, y, xOf))
    }
    for (const bar of row.bars) out.push(task(bar, y, xOf, right))
    out.push(`</g>`)
  })
  out.push(
    `<rect class="plot-area" x="${plotLeft}" y="${TOP}" width="${plotRight - plotLeft}"` +
      ` height="${plotBottom - TOP}" fill="none" stroke="#d0d7de"/>`
  )
  out.push(`<g class="axis">`)
  out.push(
    `<line class="axis-line" x1="${plotLeft}" y1="${plotBottom}" x2="${plotRight}" y2="${plotBottom}"` +
      ` stroke="#57606a"/>`
  )
  out.push(`<text class="axis-caption" x="${MARGIN}" y="${plotBottom + 20}" fill="#57606a">since first queued</text>`)
  for (const tick of axis.ticks) {
    const x = px(xOf(tick.at))
    out.push(
      `<line class="tick" x1="${x}" y1="${plotBottom}" x2="${x}" y2="${plotBottom + 5}" stroke="#57606a"/>`,
      `<text class="tick-label" x="${x}" y="${plotBottom + 20}" text-anchor="middle" fill="#1f2328">${
        escapeXml(tick.label)
      }</text>`
    )
  }
  out.push(`</g>`)
  return out
}

const wait = (bar: Bar, y: number, xOf: (t: number) => number): string => {
  const x = xOf(bar.queued)
  return `<rect class="wait" x="${px(x)}" y="${y + (ROW - WAIT) / 2}" width="${px(xOf(bar.started) - x)}"` +
    ` height="${WAIT}" fill="${WAIT_FILL}"><title>${
      escapeXml(`${bar.label}: waited ${formatDuration(bar.started - bar.queued)}`)
    }</title></rect>`
}

/** A bar narrower than this (a task of no measurable length) is drawn this wide, in hundredths of a pixel. */
const MIN_BAR = 100
/** Bars wider than this end a pixel short, so that back-to-back tasks on one worker stay apart. */
const GAP_FROM = 300

const task = (bar: Bar, y: number, xOf: (t: number) => number, right: number): string => {
  const span = xOf(bar.ended) - xOf(bar.started)
  const width = span >= GAP_FROM ? span - 100 : Math.max(MIN_BAR, span)
  const x = Math.min(xOf(bar.started), right - width)
  const { outcome } = bar.record
  const tooltip = `${bar.label}: ${outcome}, waited ${formatDuration(bar.started - bar.queued)}, ran ${
    formatDuration(bar.ended - bar.started)
  }`
  return `<rect class="task ${escapeXml(outcome)}" x="${px(x)}" y="${y + (ROW - BAR) / 2}" width="${
    px(width)
  }" height="${BAR}"` +
    ` rx="2" fill="${COLORS[outcome] ?? COLORS.failure}"><title>${escapeXml(tooltip)}</title></rect>`
}

/**
 * The little ANSI support the progress line needs: a line is a list of spans, each with an optional
 * style, rendered with SGR escapes (`ESC [ 0 ; n m` … `ESC [ 0 m`, as `@effect/printer-ansi` rendered
 * them on Effect 3) or as plain text; the escapes that erase a line and move the cursor to its first
 * column; and the sanitizing that keeps a text on one line, without control characters.
 */
import type * as Api from "../Progress.js"

const ESC = "\u001b["

/** The SGR parameter of each style. */
const SGR: { readonly [S in Api.Style]: string } = {
  bold: "1",
  green: "32",
  dim: "90"
}

/** Resets every style. */
const RESET = `${ESC}0m`

/** Erases the whole line the cursor is on. @internal */
export const eraseLine = `${ESC}2K`

/** Moves the cursor to the first column of its line. @internal */
export const cursorLeft = `${ESC}G`

/**
 * `text` on one line: line breaks become one space each run of them, and control characters (C0,
 * DEL and C1, among them ESC and the 8-bit CSI, which could move the cursor or erase the screen)
 * are dropped.
 * @internal
 */
export const oneLine = (text: string): string => text.replace(/[\r\n]+/g, " ").replace(/\p{Cc}/gu, "")

/**
 * The line with its styles: each styled span opened with a reset and its style, and closed with a
 * reset, so that a span never inherits a style from the one before. An empty span draws nothing,
 * not even its style. The texts are made one line first (`oneLine`).
 * @internal
 */
export const toAnsi = (line: Api.Line): string => {
  let out = ""
  for (const span of line) {
    const text = oneLine(span.text)
    if (text.length === 0) continue
    out += span.style === undefined ? text : `${ESC}0;${SGR[span.style]}m${text}${RESET}`
  }
  return out
}

/** The line without its styles: the text a terminal shows of `toAnsi(line)`. @internal */
export const toText = (line: Api.Line): string => {
  let out = ""
  for (const span of line) out += oneLine(span.text)
  return out
}

import type * as HttpClientResponse from "effect/http/HttpClientResponse"
import * as Option from "effect/Option"

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
const DAY = "(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)"
const LONG_DAY = "(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)"
const MONTH = `(${MONTHS.join("|")})`
const TIME = "(\\d{2}):(\\d{2}):(\\d{2})"

/** `Sun, 06 Nov 1994 08:49:37 GMT`, the preferred form. */
const IMF_FIXDATE = new RegExp(`^${DAY}, (\\d{2}) ${MONTH} (\\d{4}) ${TIME} GMT$`)
/** `Sunday, 06-Nov-94 08:49:37 GMT`, obsolete: a two-digit year. */
const RFC_850 = new RegExp(`^${LONG_DAY}, (\\d{2})-${MONTH}-(\\d{2}) ${TIME} GMT$`)
/** `Sun Nov  6 08:49:37 1994`, C's asctime, obsolete: in GMT though it does not say so. */
const ASCTIME = new RegExp(`^${DAY} ${MONTH} ( \\d|\\d{2}) ${TIME} (\\d{4})$`)

/** The time in ms of a date and time in GMT, if every field is in range (`second` 60: a leap second). */
const utc = (year: number, month: number, day: number, hour: number, minute: number, second: number) => {
  if (hour > 23 || minute > 59 || second > 60) return undefined
  const date = new Date(0)
  date.setUTCFullYear(year, month, day) // not Date.UTC: it takes years 0 to 99 as 1900 to 1999
  date.setUTCHours(hour, minute, Math.min(second, 59))
  // a day past the month's end (31 Feb) rolls over into the next month: not a date
  return date.getUTCDate() === day ? date.getTime() + (second === 60 ? 1000 : 0) : undefined
}

/**
 * An HTTP-date (RFC 9110 §5.6.7) as ms since the epoch: any of its three forms, as a recipient
 * must accept them, and nothing else (`Date.parse` reads far more, in local time for some).
 * A two-digit year is read in the century of `now`, unless that date is more than 50 years after
 * `now`: then a century earlier (RFC 9110's rule — so a year up to 50 years ahead stays ahead).
 *
 * @internal
 */
export const parseHttpDate = (value: string, now: number): number | undefined => {
  let match = IMF_FIXDATE.exec(value)
  if (match !== null) {
    const [, day, month, year, hour, minute, second] = match
    return utc(+year!, MONTHS.indexOf(month!), +day!, +hour!, +minute!, +second!)
  }
  match = RFC_850.exec(value)
  if (match !== null) {
    const [, day, month, yy, hour, minute, second] = match
    const thisYear = new Date(now).getUTCFullYear()
    const year = thisYear - (thisYear % 100) + +yy!
    const at = (y: number) => utc(y, MONTHS.indexOf(month!), +day!, +hour!, +minute!, +second!)
    // RFC 9110: a date more than 50 years in the future is the one a century earlier — the whole
    // date, not only its year
    const fiftyYearsAhead = new Date(now)
    fiftyYearsAhead.setUTCFullYear(thisYear + 50)
    const date = at(year)
    return date !== undefined && date > fiftyYearsAhead.getTime() ? at(year - 100) : date
  }
  match = ASCTIME.exec(value)
  if (match !== null) {
    const [, month, day, hour, minute, second, year] = match
    return utc(+year!, MONTHS.indexOf(month!), +day!.trim(), +hour!, +minute!, +second!)
  }
  return undefined
}

/**
 * The wait a `Retry-After` value asks for, in ms from `now`: `delay-seconds` (digits only) or an
 * HTTP-date, with optional whitespace around. A date in the past (or `0`) is a wait of 0; a huge
 * number is at most `Number.MAX_SAFE_INTEGER` ms. `None` for a missing, empty or invalid value
 * (`-5`, `1.5`, `+3`, `1e3`, `5, 7`, an unknown date format).
 *
 * @internal
 */
export const parse = (value: string | null | undefined, now: number): Option.Option<number> => {
  if (value === null || value === undefined) return Option.none()
  const trimmed = trimWhitespace(value)
  if (/^\d+$/.test(trimmed)) return Option.some(Math.min(Number(trimmed) * 1000, Number.MAX_SAFE_INTEGER))
  const at = parseHttpDate(trimmed, now)
  return at === undefined ? Option.none() : Option.some(Math.max(0, at - now))
}

/** The statuses whose `Retry-After` asks a client to wait: 429 Too Many Requests and 503 Service Unavailable. */
const HONOURED: ReadonlySet<number> = new Set([429, 503])

/**
 * The wait a response asks for, in ms from `now`, if it is a 429 or a 503 with a valid
 * `Retry-After`. An HTTP-date counts from the response's own `Date` header when it has a valid
 * one (the server's clock, so a skewed local clock does not matter), else from `now`.
 *
 * @internal
 */
export const fromResponse = (
  response: HttpClientResponse.HttpClientResponse,
  now: number
): Option.Option<number> => {
  if (!HONOURED.has(response.status)) return Option.none()
  const sent = response.headers["date"]
  const serverNow = sent === undefined ? undefined : parseHttpDate(trimWhitespace(sent), now)
  return parse(response.headers["retry-after"], serverNow ?? now)
}

/** Without the spaces and tabs around it: HTTP's only optional whitespace (not `String.trim`'s NBSP, BOM…). */
const trimWhitespace = (value: string): string => value.replace(/^[ \t]+|[ \t]+$/g, "")

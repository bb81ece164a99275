import { assert, describe, it } from "@effect/vitest"
import { Option } from "effect"
import * as RetryAfter from "../src/RetryAfter.js"

const now = Date.UTC(2026, 0, 1, 12, 0, 0) // Thu, 01 Jan 2026 12:00:00 GMT

const wait = (value: string | null | undefined, at = now) => Option.getOrUndefined(RetryAfter.parse(value, at))

describe("RetryAfter.parse", () => {
  // RFC 9110 §5.6.7 (rfc850-date) — "a timestamp that appears to be more than 50 years in the future" MUST be read as the most recent past year with those digits; the year alone is compared
  it("RFC 850: a date 50 years and some months ahead is the past century's", () => {
    assert.strictEqual(wait("Saturday, 06-Nov-76 08:49:37 GMT"), 0) // 2076-11-06 is > 50 years ahead: 1976
    assert.strictEqual(wait("Thursday, 01-Jan-76 12:00:01 GMT"), 0) // 50 years and 1 s ahead: 1976
  })

  // "digits only … with optional whitespace around it" — HTTP's OWS is SP / HTAB; String.trim also strips NBSP, BOM, U+3000 …
  it("only SP and HTAB count as whitespace around the value", () => {
    for (const value of ["\u00a07", "7\u00a0", "\ufeff7", "7\u3000", "\u2028 7"]) {
      assert.isUndefined(wait(value), JSON.stringify(value))
    }
  })

  it("leading zeros, huge numbers, dates with the wrong weekday (accepted), lists (None)", () => {
    assert.strictEqual(wait("0000000000000000000000000000005"), 5000)
    assert.strictEqual(wait("1" + "0".repeat(30)), Number.MAX_SAFE_INTEGER)
    assert.strictEqual(wait("Mon, 01 Jan 2026 12:00:30 GMT"), 30_000) // the weekday is not checked
    assert.isUndefined(wait("5, 5"))
    assert.isUndefined(wait("Thu, 01 Jan 2026 12:00:30 gmt"))
    assert.isUndefined(wait("Thu, 1 Jan 2026 12:00:30 GMT"))
    assert.isUndefined(wait("Thu, 31 Feb 2026 12:00:30 GMT"))
    assert.isUndefined(wait("Thu,  01 Jan 2026 12:00:30 GMT"))
    assert.isUndefined(wait("٣")) // Arabic-Indic digit
  })
})

import { assert, describe, it } from "@effect/vitest"
import { Option } from "effect"
import { HttpClientRequest, HttpClientResponse } from "effect/http"
import * as RetryAfter from "../src/RetryAfter.js"

const now = Date.UTC(2026, 0, 1, 12, 0, 0) // Thu, 01 Jan 2026 12:00:00 GMT

const wait = (value: string | null | undefined, at = now) => Option.getOrUndefined(RetryAfter.parse(value, at))

describe("RetryAfter.parse", () => {
  it("delay-seconds: digits only, whitespace around allowed", () => {
    assert.strictEqual(wait("120"), 120_000)
    assert.strictEqual(wait("0"), 0)
    assert.strictEqual(wait("  7 \t"), 7000)
    assert.strictEqual(wait("007"), 7000)
  })

  it("a huge number of seconds is a huge wait, at most Number.MAX_SAFE_INTEGER ms", () => {
    assert.strictEqual(wait("99999999999"), 99_999_999_999_000)
    assert.strictEqual(wait("9".repeat(400)), Number.MAX_SAFE_INTEGER)
  })

  it("missing, empty or invalid values are None", () => {
    for (
      const value of [
        undefined,
        null,
        "",
        "   ",
        "-5",
        "-0",
        "+3",
        "1.5",
        "1e3",
        "0x10",
        "5, 7",
        "soon",
        "Infinity",
        "NaN",
        "١٢"
      ]
    ) {
      assert.isUndefined(wait(value), JSON.stringify(value))
    }
  })

  it("the three HTTP-date forms, always in GMT", () => {
    assert.strictEqual(wait("Thu, 01 Jan 2026 12:00:30 GMT"), 30_000) // IMF-fixdate
    assert.strictEqual(wait("Thursday, 01-Jan-26 12:01:00 GMT"), 60_000) // RFC 850
    assert.strictEqual(wait("Thu Jan  1 12:00:05 2026"), 5000) // asctime, a one-digit day
    assert.strictEqual(wait("Sat Jan 10 12:00:00 2026"), 9 * 86_400_000) // asctime, two digits
  })

  it("a date in the past, or now, is a wait of 0", () => {
    assert.strictEqual(wait("Thu, 01 Jan 2026 12:00:00 GMT"), 0)
    assert.strictEqual(wait("Sun, 06 Nov 1994 08:49:37 GMT"), 0)
  })

  it("RFC 850's two-digit year is the latest past year with those digits, at most 50 years ahead", () => {
    assert.strictEqual(RetryAfter.parse("Sunday, 06-Nov-94 08:49:37 GMT", 0)._tag, "Some") // 1994 from 1970
    assert.strictEqual(wait("Sunday, 06-Nov-94 08:49:37 GMT"), 0) // 1994, not 2094, from 2026
    assert.strictEqual(wait("Friday, 01-Jan-27 12:00:00 GMT"), 365 * 86_400_000) // 2027
  })

  it("dates out of range or in another format are None", () => {
    for (
      const value of [
        "Thu, 31 Feb 2026 12:00:00 GMT", // no 31 February
        "Thu, 01 Jan 2026 24:00:00 GMT",
        "Thu, 01 Jan 2026 12:60:00 GMT",
        "Thu, 01 Jan 2026 12:00:00 UTC",
        "Thu, 01 Jan 2026 12:00:00 +0000",
        "thu, 01 jan 2026 12:00:00 gmt",
        "Thu, 1 Jan 2026 12:00:00 GMT",
        "2026-01-01T12:00:30Z",
        "Thu Jan 1 12:00:05 2026",
        "Thu, 01 Jan 2026 12:00:00 GMT, Thu, 01 Jan 2026 12:00:00 GMT"
      ]
    ) {
      assert.isUndefined(wait(value), value)
    }
  })

  it("a leap second is a valid date", () => {
    assert.strictEqual(wait("Thu, 01 Jan 2026 12:00:60 GMT"), 60_000)
  })
})

describe("RetryAfter.fromResponse", () => {
  const response = (status: number, headers: Record<string, string>) =>
    HttpClientResponse.fromWeb(HttpClientRequest.get("https://x.test/"), new Response(null, { status, headers }))

  it("only 429 and 503 ask for a wait", () => {
    for (const status of [429, 503]) {
      assert.deepStrictEqual(RetryAfter.fromResponse(response(status, { "retry-after": "3" }), now), Option.some(3000))
    }
    for (const status of [200, 301, 500, 502]) {
      assert.isTrue(Option.isNone(RetryAfter.fromResponse(response(status, { "retry-after": "3" }), now)), `${status}`)
    }
    assert.isTrue(Option.isNone(RetryAfter.fromResponse(response(429, {}), now)))
  })

  it("an HTTP-date counts from the response's Date when it has a valid one, else from now", () => {
    const retryAt = "Thu, 01 Jan 2026 12:00:30 GMT"
    const skewed = now + 3_600_000 // the local clock is an hour fast: measured against it, the date is past
    const withDate = response(429, { "retry-after": retryAt, date: "Thu, 01 Jan 2026 12:00:00 GMT" })
    assert.deepStrictEqual(RetryAfter.fromResponse(withDate, skewed), Option.some(30_000))
    const badDate = response(429, { "retry-after": retryAt, date: "yesterday" })
    assert.deepStrictEqual(RetryAfter.fromResponse(badDate, now + 10_000), Option.some(20_000))
    assert.deepStrictEqual(RetryAfter.fromResponse(response(503, { "retry-after": retryAt }), now), Option.some(30_000))
  })
})

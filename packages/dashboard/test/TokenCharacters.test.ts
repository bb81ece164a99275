/**
 * Review regression tests (issue 27, second round): each failed before its fix (checked by
 * stashing `src/`).
 *
 * Review (round 2): a token with a trailing newline — read from a file or a secret mount
 * (`readFileSync("token", "utf8")`), the common way to get one.
 *
 * README: "With a token every request … must carry it: `Authorization: Bearer <token>`, or
 * `?token=<token>`"; "Every option out of range fails `InvalidOptions` naming it". The layer
 * takes `"s3cret\n"` as it is, but a header value cannot hold a newline (HTTP strips the
 * whitespace around a field value, and the guard trims it too): no `Authorization` header can
 * ever match, so every script or proxy using the header gets 401 for ever, with no hint why.
 * Expected: the token refused at the start (`InvalidOptions`), or read without the whitespace
 * around it, so that `Bearer s3cret` is let in.
 *
 * Deterministic.
 */
import { assert, describe, it } from "@effect/vitest"
import { Effect, Exit } from "effect"
import * as Dashboard from "../src/Dashboard.js"
import { call } from "./fixtures.js"

describe("review2: a token read from a file (trailing newline)", () => {
  it.live("is refused with InvalidOptions, or the Bearer header can carry it", () =>
    Effect.gen(function*() {
      const built = yield* Effect.exit(
        Effect.scoped(
          Effect.gen(function*() {
            const { url } = yield* Dashboard.Dashboard
            const byHeader = yield* call(`${url}api/snapshot`, { headers: { authorization: "Bearer s3cret" } })
            const byQuery = yield* call(`${url}api/snapshot?token=${encodeURIComponent("s3cret\n")}`)
            return { byHeader: byHeader.status, byQuery: byQuery.status }
          }).pipe(Effect.provide(Dashboard.layer({ port: 0, token: "s3cret\n" })))
        )
      )
      if (Exit.isSuccess(built)) {
        assert.strictEqual(
          built.value.byHeader,
          200,
          `the layer took the token, but no header can carry it: ${JSON.stringify(built.value)}`
        )
      } else {
        assert.include(String(built.cause), "InvalidOptions")
      }
    }))
})

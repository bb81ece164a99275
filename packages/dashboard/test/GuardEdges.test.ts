/**
 * Dashboard review regression tests: each failed before its fix (checked by stashing `src/`).
 *
 * the guard's reading of the request — names and schemes that HTTP defines as
 * case-insensitive are compared case-sensitively, so clients that spell them otherwise are refused.
 * (Both refuse a legitimate request; neither lets a wrong one in.)
 */
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import * as http from "node:http"
import * as Dashboard from "../src/Dashboard.js"
import { call } from "./fixtures.js"

/** A GET with a `Host` header of our choosing (fetch does not let one set it). */
const withHost = (url: string, host: string) =>
  Effect.promise(() =>
    new Promise<number>((resolve, reject) => {
      const { port } = new URL(url)
      const request = http.request(
        { host: "127.0.0.1", port, path: "/api/snapshot", headers: { host } },
        (response) => {
          response.resume()
          resolve(response.statusCode!)
        }
      )
      request.on("error", reject)
      request.end()
    })
  )

describe("review: guard", () => {
  it.live("the Authorization scheme is case-insensitive (RFC 9110 §11.1): `bearer <token>` is let in", () =>
    Effect.gen(function*() {
      const { url } = yield* Dashboard.Dashboard
      assert.strictEqual(
        (yield* call(`${url}api/snapshot`, { headers: { authorization: "Bearer s3cret" } })).status,
        200
      )
      assert.strictEqual(
        (yield* call(`${url}api/snapshot`, { headers: { authorization: "bearer s3cret" } })).status,
        200
      )
    }).pipe(Effect.provide(Dashboard.layer({ port: 0, token: "s3cret" }))))

  it.live("a loopback name in the Host header is read without regard to case (RFC 3986 §3.2.2): `LOCALHOST` is loopback", () =>
    Effect.gen(function*() {
      const { url } = yield* Dashboard.Dashboard
      const { port } = new URL(url)
      assert.strictEqual(yield* withHost(url, `localhost:${port}`), 200)
      assert.strictEqual(yield* withHost(url, `LocalHost:${port}`), 200)
    }).pipe(Effect.provide(Dashboard.layer({ port: 0 }))))
})

describe("review: guard behind a reverse proxy", () => {
  // README: "put it behind TLS (a reverse proxy) when it leaves the machine". A proxy such as
  // nginx (by default) sends `Host: <upstream address>`; the browser names the proxy's origin.
  // With a token, a cross-site page cannot act anyway (it has no token), yet the page's own
  // actions are refused.
  it.live("with a token, the page's action through a proxy that rewrites Host is accepted", () =>
    Effect.gen(function*() {
      const { url } = yield* Dashboard.Dashboard
      const { port } = new URL(url)
      const acted = yield* Effect.promise(() =>
        new Promise<number>((resolve, reject) => {
          const request = http.request({
            host: "127.0.0.1",
            port,
            method: "POST",
            path: "/api/retry-failed?manager=nobody&token=s3cret",
            headers: {
              host: `127.0.0.1:${port}`,
              origin: "https://dashboard.example.com",
              "x-fiberkit-dashboard": "1"
            }
          }, (response) => {
            response.resume()
            resolve(response.statusCode!)
          })
          request.on("error", reject)
          request.end()
        })
      )
      // 404: no manager of that name — the action reached its route; observed: 403
      assert.strictEqual(acted, 404)
    }).pipe(Effect.provide(Dashboard.layer({ port: 0, write: true, token: "s3cret" }))))
})

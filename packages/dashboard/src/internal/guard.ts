import { createHash, timingSafeEqual } from "node:crypto"

/** The host names of the loopback interface, as a bind address or in a `Host` header. @internal */
export const loopbackHosts: ReadonlySet<string> = new Set(["127.0.0.1", "::1", "[::1]", "localhost"])

/** @internal */
export const isLoopback = (host: string): boolean => {
  // host names are read without regard to case, and a trailing dot names the same host
  const name = host.toLowerCase().replace(/\.$/, "")
  return loopbackHosts.has(name) || /^127(?:\.\d{1,3}){3}$/.test(name)
}

/** The header a page sends with every action, which a cross-site form or image cannot send. @internal */
export const actionHeader = "x-fiberkit-dashboard"

const digest = (text: string) => createHash("sha256").update(text).digest()

/**
 * Whether `given` is the token, compared in constant time (over digests, so that the length of
 * the token does not show either).
 *
 * @internal
 */
export const tokenMatches = (token: string, given: string | undefined): boolean =>
  given !== undefined && timingSafeEqual(digest(token), digest(given))

/** What a request shows of itself to the guard. @internal */
export interface Seen {
  readonly method: string
  readonly headers: Readonly<Record<string, string | undefined>>
  readonly url: URL
}

/** Why a request is refused: a status and a reason for the body. @internal */
export interface Refusal {
  readonly status: 401 | 403 | 421
  readonly reason: string
}

/** The token a request carries: `Authorization: Bearer …`, else `?token=` (an EventSource sends no headers). */
const tokenOf = (seen: Seen): string | undefined => {
  // the scheme is read without regard to case (RFC 9110 §11.1)
  const authorization = seen.headers["authorization"]
  if (authorization !== undefined && /^bearer /i.test(authorization)) return authorization.slice(7).trim()
  return seen.url.searchParams.get("token") ?? undefined
}

const hostNameOf = (host: string): string => {
  if (host.startsWith("[")) return host.slice(0, host.indexOf("]") + 1)
  const colon = host.lastIndexOf(":")
  return colon === -1 ? host : host.slice(0, colon)
}

/** The host of an `Origin` header; `undefined` for `null` (a sandboxed page, a file) or anything unreadable. */
const originHost = (origin: string): string | undefined => {
  try {
    return new URL(origin).host
  } catch {
    return undefined
  }
}

/**
 * The checks every request passes, in order:
 * - bound to loopback, the `Host` header must name loopback (a web page whose name was made to
 *   point at 127.0.0.1 — DNS rebinding — gets 421);
 * - with a token, the request must carry it (401);
 * - an action (`POST`) must send the action header (403) and, without a token, if the browser
 *   names an `Origin`, come from the dashboard's own (403): another site's page cannot make the
 *   browser act. With a token the token is the proof (another site cannot know it), so a reverse
 *   proxy that rewrites `Host` (the browser's `Origin` then names the proxy) does not stop actions.
 *
 * @internal
 */
export const refusal = (
  seen: Seen,
  options: { readonly loopback: boolean; readonly token: string | undefined }
): Refusal | undefined => {
  const host = seen.headers["host"]
  if (options.loopback && (host === undefined || !isLoopback(hostNameOf(host)))) {
    return { status: 421, reason: "this dashboard answers only requests addressed to a loopback host" }
  }
  if (options.token !== undefined && !tokenMatches(options.token, tokenOf(seen))) {
    return { status: 401, reason: "a token is required: Authorization: Bearer <token>, or ?token=<token>" }
  }
  if (seen.method === "POST") {
    if (seen.headers[actionHeader] !== "1") {
      return { status: 403, reason: `an action needs the header ${actionHeader}: 1` }
    }
    const origin = seen.headers["origin"]
    if (options.token === undefined && origin !== undefined && originHost(origin) !== host) {
      return { status: 403, reason: "an action must come from the dashboard's own page" }
    }
  }
  return undefined
}

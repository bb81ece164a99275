/** A bare node:http server on 127.0.0.1, port 0, closed (with its connections) by the scope. */
import * as Effect from "effect/Effect"
import * as http from "node:http"
import type * as net from "node:net"

export const serve = (handler: http.RequestListener) =>
  Effect.acquireRelease(
    Effect.async<{ readonly server: http.Server; readonly base: string }>((resume) => {
      const server = http.createServer(handler)
      server.listen(0, "127.0.0.1", () =>
        resume(Effect.succeed({ server, base: `http://127.0.0.1:${(server.address() as net.AddressInfo).port}` })))
    }),
    ({ server }) =>
      Effect.async<void>((resume) => {
        server.closeAllConnections()
        server.close(() =>
          resume(Effect.void)
        )
      })
  )

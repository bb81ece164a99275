import * as Result from "effect/Result"
import * as fs from "node:fs"
import { createRequire } from "node:module"
import * as path from "node:path"
import { fileURLToPath, pathToFileURL } from "node:url"
import * as WorkerThreads from "node:worker_threads"
import * as Protocol from "./workerProtocol.js"

/**
 * Every worker thread starts with this script. Node runs an `eval` script as CommonJS, with
 * `require`, `module`, `exports`, `__filename` ("[worker eval]") and `__dirname` as globals that
 * every ES module of the thread would see (and some misread: `@effect/platform-node` does
 * `createRequire(typeof __filename === "string" ? __filename : import.meta.url)`): it deletes them
 * first. It registers tsx's loader when the worker module is TypeScript (Node 20 does not carry
 * the main thread's loader into a worker, and `--import tsx` in `execArgv` is not enough), then
 * imports the module, which runs `serve`; once the module (its imports first) has been evaluated,
 * it tells the `serve` effects that ran meanwhile (see `Protocol.SERVE_REGISTRY_KEY`). A failure
 * to load becomes the worker's `error` event.
 */
const BOOTSTRAP = `
const { workerData } = require("node:worker_threads")
for (const name of ["require", "module", "exports", "__filename", "__dirname"]) delete globalThis[name]
const { module, loader } = workerData[${JSON.stringify(Protocol.WORKER_DATA_KEY)}]
const registry = globalThis[Symbol.for(${JSON.stringify(Protocol.SERVE_REGISTRY_KEY)})] ??=
  { loaded: false, onLoaded: [], waiting: [], elected: false }
;(async () => {
  if (loader !== undefined) {
    const api = await import(loader)
    ;(api.register ?? api.default.register)()
  }
  await import(module)
  registry.loaded = true
  for (const loaded of registry.onLoaded.splice(0)) loaded()
})().catch((error) => process.nextTick(() => { throw error }))
`

/**
 * The ES module entry of tsx's `tsx/esm/api` (its CommonJS entry cannot be imported in a
 * worker), found through tsx's package.json exports.
 */
const tsxLoader = (): string => {
  const manifest = createRequire(import.meta.url).resolve("tsx/package.json")
  const exports = JSON.parse(fs.readFileSync(manifest, "utf8")).exports["./esm/api"].import
  const entry: string = typeof exports === "string" ? exports : exports.default
  return pathToFileURL(path.join(path.dirname(manifest), entry)).href
}

const isTypeScript = (file: string): boolean => /\.[cm]?ts$/.test(file)

/**
 * The worker module as a file URL, and the loader it needs. A `.js` path whose file does not
 * exist but whose `.ts` sibling does is the TypeScript source (the same convention as `import`
 * in TypeScript ESM), so one URL works from the sources under tsx and from the build.
 *
 * @internal
 */
export const resolveModule = (module: string | URL): Result.Result<Protocol.WorkerData, string> => {
  let file: string
  try {
    file = module instanceof URL || module.startsWith("file:") ? fileURLToPath(module) : module
  } catch (error) {
    return Result.fail(String(error))
  }
  if (!path.isAbsolute(file)) return Result.fail("the worker module must be a file URL or an absolute path")
  if (!fs.existsSync(file) && /\.[cm]?js$/.test(file)) {
    const source = file.replace(/js$/, "ts")
    if (fs.existsSync(source)) file = source
  }
  let loader: string | undefined = undefined
  if (isTypeScript(file)) {
    try {
      loader = tsxLoader()
    } catch {
      return Result.fail(`${file} is TypeScript: install tsx to run it in a worker thread, or build it first`)
    }
  }
  return Result.succeed({ module: pathToFileURL(file).href, loader })
}

/** @internal */
export interface ThreadOptions {
  readonly resourceLimits?: WorkerThreads.ResourceLimits | undefined
}

/** Starts a worker thread with its shared `cells` (`Protocol.SHARED` cells). @internal */
export const spawnThread = (
  data: Protocol.WorkerData,
  cells: SharedArrayBuffer,
  options: ThreadOptions
): WorkerThreads.Worker =>
  new WorkerThreads.Worker(BOOTSTRAP, {
    eval: true,
    workerData: { [Protocol.WORKER_DATA_KEY]: { ...data, cells } satisfies Protocol.ThreadData },
    ...(options.resourceLimits === undefined ? {} : { resourceLimits: options.resourceLimits })
  })

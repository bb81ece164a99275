import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Effectable from "effect/Effectable"
import * as Schema from "effect/Schema"
import type * as SchemaAST from "effect/SchemaAST"
import type { WorkerCrashed, WorkerSpawnFailed } from "../Errors.js"
import type * as Api from "../WorkerTask.js"

/** @internal */
export const TaskTypeId: Api.TaskTypeId = Symbol.for("@fiberkit/executor/WorkerTask") as Api.TaskTypeId

/** @internal */
export const CallTypeId: Api.CallTypeId = Symbol.for("@fiberkit/executor/WorkerTask/Call") as Api.CallTypeId

/** How the values of one schema cross a thread boundary. */
export interface Codec<T> {
  readonly encode: (value: T) => unknown
  readonly decode: (input: unknown) => T
}

/**
 * Whether values of this schema arrive intact through `postMessage` as they are: no class, no
 * Date, no transformation, no check to run, and no object — a Schema encode drops the fields an
 * object's schema does not declare (a value may carry more, a function even, which `postMessage`
 * cannot clone). Those skip Schema work on every task.
 */
const crossesAsIs = (ast: SchemaAST.AST): boolean => {
  if (ast.checks !== undefined || ast.encoding !== undefined) return false
  switch (ast._tag) {
    case "String":
    case "Number":
    case "Boolean":
    case "BigInt":
    case "Literal":
    case "Null":
    case "Undefined":
    case "Void":
    case "Never":
    case "Unknown":
    case "Any":
    case "Enum":
    case "TemplateLiteral":
      return true
    case "Arrays":
      return ast.encodingChecks === undefined && ast.elements.every(crossesAsIs) && ast.rest.every(crossesAsIs)
    case "Union":
      return ast.encodingChecks === undefined && ast.types.every(crossesAsIs)
    default:
      return false
  }
}

const identity: Codec<unknown> = { encode: (value) => value, decode: (input) => input }

/** @internal */
export const codec = <A, I>(schema: Schema.Codec<A, I>): Codec<A> =>
  crossesAsIs(schema.ast) ? identity as Codec<A> : {
    encode: Schema.encodeSync(schema),
    decode: Schema.decodeUnknownSync(schema)
  }

/** Defects (thrown errors, `Effect.die`) cross as `{ name, message, stack }` and arrive as an `Error`. @internal */
export const defectCodec: Codec<unknown> = codec(Schema.Defect({ includeStack: true }))

/** @internal */
export interface AnyTask {
  readonly name: string
  readonly run: (payload: unknown) => Effect.Effect<unknown, unknown, unknown>
  readonly payloadCodec: Codec<unknown>
  readonly successCodec: Codec<unknown>
  readonly failureCodec: Codec<unknown>
}

/**
 * Where a call runs: `undefined` on the current thread, or the dispatcher of the WorkerPool
 * whose task is running (set by the pool for the effects it runs).
 *
 * @internal
 */
export type Router = (call: CallImpl<unknown, unknown, unknown>) => Effect.Effect<unknown, unknown>

/** @internal */
export const currentRouter: Context.Reference<Router | undefined> = Context.Reference<Router | undefined>(
  "@fiberkit/executor/WorkerTask/currentRouter",
  { defaultValue: () => undefined }
)

/**
 * A call of a task with its payload. As an effect it runs the task: on the current thread (with
 * the caller's services, so it requires the task's `R`), or on a worker when a WorkerPool runs it.
 *
 * @internal
 */
export class CallImpl<A, E, R> extends Effectable.Class<A, E | WorkerCrashed | WorkerSpawnFailed, R>
  implements Api.Call<A, E, R>
{
  readonly [CallTypeId]: Api.CallTypeId = CallTypeId
  constructor(readonly task: AnyTask, readonly payload: unknown) {
    super()
  }

  asEffect(): Effect.Effect<A, E | WorkerCrashed | WorkerSpawnFailed, R> {
    return Effect.flatMap(
      Effect.service(currentRouter),
      (router) =>
        (router === undefined ? Effect.suspend(() => this.task.run(this.payload)) : router(this)) as Effect.Effect<
          A,
          E | WorkerCrashed | WorkerSpawnFailed,
          R
        >
    )
  }
}

/** @internal */
export const isCall = (u: unknown): u is CallImpl<unknown, unknown, unknown> =>
  typeof u === "object" && u !== null && CallTypeId in u

/** @internal */
export const make = <const Name extends string, P, PI, A, AI, E = never, EI = never, R = never>(
  name: Name,
  options: {
    readonly payload: Schema.Codec<P, PI>
    readonly success: Schema.Codec<A, AI>
    readonly failure?: Schema.Codec<E, EI> | undefined
    readonly run: (payload: P) => Effect.Effect<A, E, R>
  }
): Api.WorkerTask<Name, P, A, E, R> => {
  const failure = options.failure ?? (Schema.Never as unknown as Schema.Codec<E, EI>)
  const task: AnyTask = {
    name,
    run: options.run as AnyTask["run"],
    payloadCodec: codec(options.payload) as Codec<unknown>,
    successCodec: codec(options.success) as Codec<unknown>,
    failureCodec: codec(failure) as Codec<unknown>
  }
  const call = (...args: ReadonlyArray<unknown>) => new CallImpl<A, E, R>(task, args[0])
  return Object.assign(call, {
    [TaskTypeId]: TaskTypeId,
    taskName: name,
    payload: options.payload,
    success: options.success,
    failure,
    run: options.run,
    [internalTask]: task
  }) as unknown as Api.WorkerTask<Name, P, A, E, R>
}

const internalTask = Symbol.for("@fiberkit/executor/WorkerTask/internal")

/** @internal */
export const taskOf = (task: Api.WorkerTask.Any): AnyTask => (task as unknown as Record<symbol, AnyTask>)[internalTask]!

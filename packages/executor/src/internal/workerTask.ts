import * as Effect from "effect/Effect"
import * as Effectable from "effect/Effectable"
import * as FiberRef from "effect/FiberRef"
import { globalValue } from "effect/GlobalValue"
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
 * Date, no transformation, no refinement to check. Those skip Schema work on every task.
 */
const crossesAsIs = (ast: SchemaAST.AST): boolean => {
  switch (ast._tag) {
    case "StringKeyword":
    case "NumberKeyword":
    case "BooleanKeyword":
    case "BigIntKeyword":
    case "Literal":
    case "UndefinedKeyword":
    case "VoidKeyword":
    case "NeverKeyword":
    case "UnknownKeyword":
    case "AnyKeyword":
    case "Enums":
    case "TemplateLiteral":
      return true
    case "TupleType":
      return ast.elements.every((element) => crossesAsIs(element.type)) &&
        ast.rest.every((rest) => crossesAsIs(rest.type))
    case "TypeLiteral":
      return ast.propertySignatures.every((property) => crossesAsIs(property.type)) &&
        ast.indexSignatures.every((index) => crossesAsIs(index.type))
    case "Union":
      return ast.types.every(crossesAsIs)
    default:
      return false
  }
}

const identity: Codec<unknown> = { encode: (value) => value, decode: (input) => input }

/** @internal */
export const codec = <A, I>(schema: Schema.Schema<A, I>): Codec<A> =>
  crossesAsIs(schema.ast) ? identity as Codec<A> : {
    encode: Schema.encodeSync(schema),
    decode: Schema.decodeUnknownSync(schema)
  }

/** Defects (thrown errors, `Effect.die`) cross as `{ name, message, stack }` and arrive as an `Error`. @internal */
export const defectCodec: Codec<unknown> = codec(Schema.Defect)

/** @internal */
export interface AnyTask {
  readonly name: string
  readonly run: (payload: unknown) => Effect.Effect<unknown, unknown>
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
export type Router = (call: CallImpl<unknown, unknown>) => Effect.Effect<unknown, unknown>

/** @internal */
export const currentRouter: FiberRef.FiberRef<Router | undefined> = globalValue(
  Symbol.for("@fiberkit/executor/WorkerTask/currentRouter"),
  () => FiberRef.unsafeMake<Router | undefined>(undefined)
)

/**
 * A call of a task with its payload. As an effect it runs the task: on the current thread, or
 * on a worker when a WorkerPool runs it.
 *
 * @internal
 */
export class CallImpl<A, E> extends Effectable.Class<A, E | WorkerCrashed | WorkerSpawnFailed>
  implements Api.Call<A, E>
{
  readonly [CallTypeId]: Api.CallTypeId = CallTypeId
  constructor(readonly task: AnyTask, readonly payload: unknown) {
    super()
  }

  commit(): Effect.Effect<A, E | WorkerCrashed | WorkerSpawnFailed> {
    return Effect.flatMap(
      FiberRef.get(currentRouter),
      (router) =>
        (router === undefined ? Effect.suspend(() => this.task.run(this.payload)) : router(this)) as Effect.Effect<
          A,
          E | WorkerCrashed | WorkerSpawnFailed
        >
    )
  }
}

/** @internal */
export const isCall = (u: unknown): u is CallImpl<unknown, unknown> =>
  typeof u === "object" && u !== null && CallTypeId in u

/** @internal */
export const make = <const Name extends string, P, PI, A, AI, E = never, EI = never>(
  name: Name,
  options: {
    readonly payload: Schema.Schema<P, PI>
    readonly success: Schema.Schema<A, AI>
    readonly failure?: Schema.Schema<E, EI> | undefined
    readonly run: (payload: P) => Effect.Effect<A, E>
  }
): Api.WorkerTask<Name, P, A, E> => {
  const failure = options.failure ?? (Schema.Never as unknown as Schema.Schema<E, EI>)
  const task: AnyTask = {
    name,
    run: options.run as AnyTask["run"],
    payloadCodec: codec(options.payload) as Codec<unknown>,
    successCodec: codec(options.success) as Codec<unknown>,
    failureCodec: codec(failure) as Codec<unknown>
  }
  const call = (...args: ReadonlyArray<unknown>) => new CallImpl<A, E>(task, args[0])
  return Object.assign(call, {
    [TaskTypeId]: TaskTypeId,
    taskName: name,
    payload: options.payload,
    success: options.success,
    failure,
    run: options.run,
    [internalTask]: task
  }) as unknown as Api.WorkerTask<Name, P, A, E>
}

const internalTask = Symbol.for("@fiberkit/executor/WorkerTask/internal")

/** @internal */
export const taskOf = (task: Api.WorkerTask.Any): AnyTask => (task as unknown as Record<symbol, AnyTask>)[internalTask]!

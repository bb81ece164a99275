import * as Config from "effect/Config"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import type * as Scope from "effect/Scope"
import type * as Api from "../../BullMQStore.js"
import { InvalidOptions, type RedisUnreachable, type TaskStoreError } from "../../Errors.js"
import { connect, redact } from "./connection.js"
import * as Engine from "./engine.js"
import { ErrorLog } from "./errorLog.js"
import { BullStore, makeQueue, tryRedis } from "./store.js"

const unsupported = (operation: string) =>
  Effect.die(
    new Error(`BullMQStore: ${operation} is done by BullMQ's workers — use this store through TaskManager.make`)
  )

const positive = (field: string, value: number, integer: boolean) =>
  Number.isFinite(value) && value > 0 && (!integer || Number.isSafeInteger(value))
    ? Effect.succeed(value)
    : new InvalidOptions({
      operation: "BullMQStore.make",
      field,
      expected: integer ? "an integer ≥ 1" : "a duration > 0",
      value
    })

/** Deletes a once lease if it is still this run's. */
const freeLease = `if redis.call("GET", KEYS[1]) == ARGV[1] then return redis.call("DEL", KEYS[1]) end return 0`

/** @internal */
export const make = (
  options: Api.Options = {}
): Effect.Effect<Api.BullMQStore, RedisUnreachable | InvalidOptions, Scope.Scope> =>
  Effect.gen(function*() {
    // a Redis URL carries its password: read as Redacted, and shown only with it hidden
    const given = options.url ?? Option.getOrUndefined(
      yield* Effect.orDie(Config.option(Config.Redacted("FIBERKIT_REDIS_URL")))
    )
    const url = Redacted.isRedacted(given) ? Redacted.value(given) : given
    if (url === undefined || !/^rediss?:\/\//.test(url)) {
      return yield* new InvalidOptions({
        operation: "BullMQStore.make",
        field: "url",
        expected: "a redis:// URL, given or in FIBERKIT_REDIS_URL",
        value: url === undefined ? undefined : redact(url)
      })
    }
    const millis = (input: Duration.Input | undefined, fallback: Duration.Input) =>
      Duration.toMillis(Duration.fromInputUnsafe(input ?? fallback))
    const settings = {
      queue: options.queue ?? "fiberkit-tasks",
      prefix: options.prefix ?? "fiberkit",
      lockDuration: yield* positive("lockDuration", millis(options.lockDuration, "30 seconds"), false),
      stalledInterval: yield* positive("stalledInterval", millis(options.stalledInterval, "30 seconds"), false),
      maxStalledCount: yield* positive("maxStalledCount", options.maxStalledCount ?? 1, true),
      closeTimeout: millis(options.closeTimeout, 0),
      retain: {
        count: yield* positive("retain.count", options.retain?.count ?? 100_000, true),
        age: Math.ceil((yield* positive("retain.age", millis(options.retain?.age, "7 days"), false)) / 1000)
      }
    }
    const attempts = yield* positive("connectAttempts", options.connectAttempts ?? 5, true)
    // connection errors are logged with the logger of the context the store is made in
    const errors = new ErrorLog(yield* Effect.context<never>())
    const redis = yield* connect(
      url,
      { attempts, delay: options.connectDelay ?? "200 millis", timeout: "2 seconds" },
      errors
    )
    const queue = yield* makeQueue(redis, settings, errors)
    const store = new BullStore(redis, queue, settings, errors)
    const service: Api.BullMQStore = {
      queue: settings.queue,
      add: store.add,
      addDeduped: store.addDeduped,
      get: store.get,
      take: unsupported("take"),
      takeAdmitted: () => unsupported("take"),
      reconsider: Effect.void,
      failed: () => unsupported("failed"),
      attempt: () => unsupported("attempt"),
      finish: () => unsupported("finish"),
      release: () => unsupported("release"),
      cancel: () => unsupported("cancel"),
      recover: Effect.succeed([]),
      engine: { make: (managerOptions) => Engine.make(store, managerOptions) },
      list: store.list,
      replay: store.replay,
      progress: store.progress,
      ticks: store.ticks,
      once: <A, E, R>(key: string, effect: Effect.Effect<A, E, R>) =>
        Effect.gen(function*() {
          const mark = store.onceKey(key)
          const lease = `running ${crypto.randomUUID()}`
          // a lease first (two runs at once: one waits), as long as a worker's lock
          for (;;) {
            const taken = yield* tryRedis(
              "take a once lease",
              () => redis.set(mark, lease, "PX", settings.lockDuration, "NX")
            )
            if (taken === "OK") break
            const holder = yield* tryRedis("read a once mark", () => redis.get(mark))
            if (holder === "done") return Option.none<A>()
            // our own lease: a SET whose answer a Redis restart lost, sent again by the client
            if (holder === lease) break
            yield* Effect.sleep("50 millis")
          }
          const value = yield* Effect.onExit(effect, (exit) =>
            exit._tag === "Success"
              ? Effect.void
              : Effect.ignore(tryRedis("free a once lease", () => redis.eval(freeLease, 1, mark, lease))))
          yield* tryRedis("write a once mark", () => redis.set(mark, "done", "EX", settings.retain.age))
          return Option.some(value)
        }) as Effect.Effect<Option.Option<A>, E | TaskStoreError, R>
    }
    // the managers on this store stop before its connection closes
    yield* Effect.addFinalizer(() => Effect.forEach([...store.managers], (shutdown) => shutdown, { discard: true }))
    return service
  })

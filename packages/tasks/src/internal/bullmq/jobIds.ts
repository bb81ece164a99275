/** Starts a job id that stands for a task id chosen by the caller. */
const MAPPED = "fk~"

/** A task id `crypto.randomUUID()` made: safe as a BullMQ job id as it is. */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/

/**
 * The BullMQ job id of a task id. A job's Redis key is the queue's prefix and its job id, next to
 * the queue's own keys (`meta`, `wait`, `active`, `events`, …), and BullMQ refuses job ids that
 * are integers (`"42"`) or hold a `:` (`"order:42"`), which the other stores take. So an id the
 * caller chose is stored as `fk~` and the id with `%` and `:` escaped — never an integer, never a
 * name of the queue's; a generated UUID is its own job id.
 *
 * @internal
 */
export const toJobId = (id: string): string =>
  UUID.test(id) ? id : MAPPED + id.replaceAll("%", "%25").replaceAll(":", "%3A")

/** The task id of a BullMQ job id (`toJobId` undone). @internal */
export const fromJobId = (jobId: string): string =>
  jobId.startsWith(MAPPED)
    ? jobId.slice(MAPPED.length).replaceAll("%3A", ":").replaceAll("%25", "%")
    : jobId

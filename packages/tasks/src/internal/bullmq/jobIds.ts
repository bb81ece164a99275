/** Starts a job id that stands for a task id BullMQ would not take as it is. */
const MAPPED = "fk~"

/**
 * The BullMQ job id of a task id. BullMQ refuses custom job ids that are integers (`"42"`) or
 * hold a `:` (`"order:42"`), which the other stores take: those, and ids that start like a
 * mapped one, are stored as `fk~` and the id with `%` and `:` escaped. Any other id is its own
 * job id (a UUID, by default).
 *
 * @internal
 */
export const toJobId = (id: string): string =>
  `${parseInt(id, 10)}` === id || id.includes(":") || id.startsWith(MAPPED)
    ? MAPPED + id.replaceAll("%", "%25").replaceAll(":", "%3A")
    : id

/** The task id of a BullMQ job id (`toJobId` undone). @internal */
export const fromJobId = (jobId: string): string =>
  jobId.startsWith(MAPPED)
    ? jobId.slice(MAPPED.length).replaceAll("%3A", ":").replaceAll("%25", "%")
    : jobId

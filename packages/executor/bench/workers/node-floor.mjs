// The floor of any worker thread: it says it is ready at once.
import { parentPort } from "node:worker_threads"

parentPort.postMessage(true)

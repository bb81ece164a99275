/** @internal */
export { Fifo } from "../Fifo.js"

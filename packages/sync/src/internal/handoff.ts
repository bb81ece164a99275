/** @internal */
export { type Restore, Waiter, type WaitHooks } from "../Handoff.js"

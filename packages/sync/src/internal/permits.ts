/** @internal */
export { PermitPool, type PermitWaiter } from "../Permits.js"

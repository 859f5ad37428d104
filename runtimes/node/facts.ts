/**
 * Internal: the Node process facts the busy checks read (flags, trace
 * categories). Read at each check, so a tracer enabled later is seen.
 *
 * @module
 */
import process from "node:process";
import * as traceEvents from "node:trace_events";
import type { BusyFacts } from "../_inspector/busy.ts";

/**
 * Busy-check facts of this Node process.
 *
 * @returns flags from `process.execArgv` and `NODE_OPTIONS`, and a reader
 * of `trace_events.getEnabledCategories()`.
 *
 * @example
 * ```ts ignore
 * import { cpuBusyReason } from "../_inspector/busy.ts";
 * import { nodeBusyFacts } from "./facts.ts";
 * console.log(cpuBusyReason(nodeBusyFacts()));
 * ```
 */
export function nodeBusyFacts(): BusyFacts {
  return {
    execArgv: process.execArgv,
    nodeOptions: process.env.NODE_OPTIONS,
    enabledTraceCategories: () => traceEvents.getEnabledCategories?.(),
  };
}

/**
 * CPU clocks for the benchmarks: the main thread's own CPU time (Linux
 * `/proc/self/task/<pid>/schedstat`, nanoseconds) and the whole process's
 * (`process.cpuUsage()`, which includes the profiler's sampling thread and
 * any worker).
 *
 * @module
 */
import { readFileSync } from "node:fs";
import process from "node:process";

const path = `/proc/self/task/${process.pid}/schedstat`;
let available: boolean | undefined;

/**
 * CPU time of the main thread in milliseconds, or `NaN` where the kernel
 * does not tell (not Linux).
 *
 * @returns milliseconds of CPU since the thread started.
 *
 * @example
 * ```ts ignore
 * import { mainThreadCpuMs } from "./_cpu_clock.ts";
 * console.log(mainThreadCpuMs());
 * ```
 */
export function mainThreadCpuMs(): number {
  if (available === false) return NaN;
  try {
    const text = readFileSync(path, "utf8");
    available = true;
    return Number(text.slice(0, text.indexOf(" "))) / 1e6;
  } catch {
    available = false;
    return NaN;
  }
}

/**
 * CPU time of the whole process in milliseconds (user + system).
 *
 * @returns milliseconds of CPU since the process started.
 *
 * @example
 * ```ts ignore
 * import { processCpuMs } from "./_cpu_clock.ts";
 * console.log(processCpuMs());
 * ```
 */
export function processCpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

/**
 * In-process A/B measurement in alternating blocks (ABBA order), the
 * method that survives a shared, noisy machine: the profiler is switched
 * off (A) and on (B) inside one process, each block runs the same
 * workload, and the result is the median and spread of the per-pair
 * ratios (each B block against the A block next to it). Drift in machine
 * load then cancels out within a pair.
 *
 * Per block: operations completed, wall time, the main thread's CPU time
 * and the process's CPU time (which includes the profiler's sampling
 * thread and workers).
 *
 * @module
 */
import { setImmediate } from "node:timers";
import { mainThreadCpuMs, processCpuMs } from "./_cpu_clock.ts";
import { type Summary, summarize } from "./_stats.ts";

/** A = profiler off (baseline), B = profiler on. */
export type Mode = "A" | "B";

/** Options for {@linkcode abba}. */
export interface AbbaOptions {
  /** Length of each measured block, ms. */
  blockMs: number;
  /** Work done after {@linkcode AbbaOptions.enter} before measuring, ms (lets a switch settle). */
  skipMs: number;
  /** Number of A/B pairs (blocks = 2 × pairs). */
  pairs: number;
  /** One unit of the workload. */
  op: () => void;
  /** Switches to a mode before its block (not measured). */
  enter: (mode: Mode) => void | Promise<void>;
  /** Called as the measured window starts (measured: e.g. starts a bundle). */
  begin?: (mode: Mode) => void;
  /** Called after the measured window (not measured: e.g. waits for a bundle). */
  leave?: (mode: Mode) => void | Promise<void>;
  /** Work between event-loop turns, ms. @default {2} */
  chunkMs?: number;
}

/** One measured block. */
export interface Block {
  /** Profiler off (A) or on (B). */
  mode: Mode;
  /** Operations completed. */
  ops: number;
  /** Wall time, ms. */
  wallMs: number;
  /** Main-thread CPU, ms (`NaN` when unknown). */
  threadCpuMs: number;
  /** Process CPU, ms. */
  processCpuMs: number;
}

/** Result of {@linkcode abba}: per-pair ratios B/A, summarized. */
export interface AbbaResult {
  /** Throughput (ops/s) B/A − 1: negative is a loss. */
  throughput: Summary;
  /** Main-thread CPU per op B/A − 1: positive is a cost. */
  threadCpuPerOp: Summary;
  /** Process CPU per op B/A − 1. */
  processCpuPerOp: Summary;
  /** Every block, in order. */
  blocks: Block[];
}

const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

async function runFor(ms: number, op: () => void, chunkMs: number): Promise<number> {
  let ops = 0;
  const end = performance.now() + ms;
  for (let now = performance.now(); now < end; now = performance.now()) {
    const chunkEnd = Math.min(end, now + chunkMs);
    do {
      op();
      ops++;
    } while (performance.now() < chunkEnd);
    await turn();
  }
  return ops;
}

/**
 * Runs `pairs` A/B pairs in ABBA order and summarizes the per-pair ratios.
 *
 * @param options blocks, workload and the mode switch.
 * @returns ratios (as fractions: 0.01 = 1 %) and the raw blocks.
 *
 * @example
 * ```ts ignore
 * import { abba } from "./_ab.ts";
 * const r = await abba({ blockMs: 500, skipMs: 50, pairs: 4, op: () => JSON.stringify({ a: 1 }), enter: () => {} });
 * console.log(r.throughput.median);
 * ```
 */
export async function abba(options: AbbaOptions): Promise<AbbaResult> {
  const chunkMs = options.chunkMs ?? 2;
  const blocks: Block[] = [];
  for (let i = 0; i < options.pairs * 2; i++) {
    // A B B A A B B A ...
    const mode: Mode = (i % 4 === 0 || i % 4 === 3) ? "A" : "B";
    await options.enter(mode);
    if (options.skipMs > 0) await runFor(options.skipMs, options.op, chunkMs);
    const t0 = performance.now();
    const c0 = mainThreadCpuMs();
    const p0 = processCpuMs();
    options.begin?.(mode);
    const ops = await runFor(options.blockMs, options.op, chunkMs);
    blocks.push({
      mode,
      ops,
      wallMs: performance.now() - t0,
      threadCpuMs: mainThreadCpuMs() - c0,
      processCpuMs: processCpuMs() - p0,
    });
    await options.leave?.(mode);
  }
  const tp: number[] = [];
  const tc: number[] = [];
  const pc: number[] = [];
  for (let i = 0; i + 1 < blocks.length; i += 2) {
    const [x, y] = [blocks[i], blocks[i + 1]];
    const [a, b] = x.mode === "A" ? [x, y] : [y, x];
    tp.push((b.ops / b.wallMs) / (a.ops / a.wallMs) - 1);
    tc.push((b.threadCpuMs / b.ops) / (a.threadCpuMs / a.ops) - 1);
    pc.push((b.processCpuMs / b.ops) / (a.processCpuMs / a.ops) - 1);
  }
  return {
    throughput: summarize(tp),
    threadCpuPerOp: summarize(tc.filter(Number.isFinite)),
    processCpuPerOp: summarize(pc),
    blocks,
  };
}

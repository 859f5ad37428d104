/**
 * Progress bars for long CLI work (listing thousands of bundles, downloads,
 * merges), drawn on stderr. On a terminal the bar redraws in place at most
 * every 100 ms; anywhere else (a pipe, a CI log) a plain line appears at
 * most every 10 s, so logs stay short. stdout is never touched, so output
 * stays clean for pipes.
 *
 * @module
 */

/** Where progress is drawn: stderr, or a test double. */
export interface ProgressStream {
  /** Writes text as is. */
  write(text: string): void;
  /** Whether the stream is a terminal (redraw in place) or not (plain lines). */
  isTTY: boolean;
  /** Terminal width; 80 when unknown. */
  columns?: number;
}

/** Options for {@linkcode Progress}. */
export interface ProgressOptions {
  /** What is being done, e.g. `listing`, `downloading`, `merging`. */
  label: string;
  /** How many units there are, if known (else the bar shows a count only). */
  total?: number;
  /**
   * `"count"` shows `12/40`; `"bytes"` shows `1.2 MiB/4.0 MiB`.
   * @default {"count"}
   */
  unit?: "count" | "bytes";
  /**
   * Clock in ms.
   * @default {Date.now}
   */
  now?: () => number;
}

const TTY_INTERVAL_MS = 100;
const LINE_INTERVAL_MS = 10_000;

/**
 * One progress bar.
 *
 * @example
 * ```ts
 * import { Progress } from "./progress.ts";
 * let out = "";
 * const p = new Progress({ write: (s) => out += s, isTTY: true, columns: 60 }, { label: "listing", total: 4, now: () => 0 });
 * p.advance(2);
 * p.done();
 * console.log(out.includes("4/4")); // true
 * ```
 */
export class Progress {
  #stream: ProgressStream;
  #label: string;
  #total: number | undefined;
  #unit: "count" | "bytes";
  #now: () => number;
  #done = 0;
  #lastDraw: number;
  #drawn = false;
  #finished = false;

  /**
   * @param stream Where to draw (stderr).
   * @param options Label, total and unit.
   */
  constructor(stream: ProgressStream, options: ProgressOptions) {
    this.#stream = stream;
    this.#label = options.label;
    this.#total = options.total;
    this.#unit = options.unit ?? "count";
    this.#now = options.now ?? Date.now;
    // Plain lines wait a full interval: short work prints nothing.
    this.#lastDraw = this.#now();
  }

  /** Units done so far. */
  get value(): number {
    return this.#done;
  }

  /**
   * Sets the total once it is known.
   *
   * @param total How many units there are.
   */
  setTotal(total: number): void {
    this.#total = total;
  }

  /**
   * Records progress and redraws if it is time.
   *
   * @param n Units just finished.
   */
  advance(n = 1): void {
    this.#done += n;
    const now = this.#now();
    const every = this.#stream.isTTY ? TTY_INTERVAL_MS : LINE_INTERVAL_MS;
    if (now - this.#lastDraw >= every || (this.#stream.isTTY && !this.#drawn)) this.#draw(now);
  }

  /** Draws the final state (on a terminal) and ends the line. Idempotent. */
  done(): void {
    if (this.#finished) return;
    this.#finished = true;
    if (this.#stream.isTTY) {
      this.#draw(this.#now());
      this.#stream.write("\n");
    }
  }

  #draw(now: number): void {
    this.#lastDraw = now;
    this.#drawn = true;
    if (this.#stream.isTTY) this.#stream.write(`\r\x1b[2K${this.render()}`);
    else this.#stream.write(`${this.#label}: ${this.#amount()}\n`);
  }

  /**
   * The bar as text, fit to the stream's width, e.g.
   * `listing [#########           ] 45% 450/1000`.
   *
   * @returns One line without a newline.
   */
  render(): string {
    const width = Math.max(20, this.#stream.columns ?? 80);
    const amount = this.#amount();
    const total = this.#total;
    if (total === undefined || total <= 0) return `${this.#label} ${amount}`.slice(0, width - 1);
    const fraction = Math.min(1, this.#done / total);
    const percent = `${Math.floor(fraction * 100)}%`.padStart(4);
    const fixed = this.#label.length + amount.length + percent.length + 5;
    const barWidth = Math.max(0, Math.min(40, width - 1 - fixed));
    const filled = Math.round(fraction * barWidth);
    const bar = barWidth > 0 ? ` [${"#".repeat(filled)}${" ".repeat(barWidth - filled)}]` : "";
    return `${this.#label}${bar} ${percent} ${amount}`.slice(0, width - 1);
  }

  #amount(): string {
    const fmt = this.#unit === "bytes" ? formatBytes : String;
    return this.#total === undefined ? fmt(this.#done) : `${fmt(this.#done)}/${fmt(this.#total)}`;
  }
}

/**
 * Formats a byte count for people: `999 B`, `1.5 KiB`, `12.0 MiB`.
 *
 * @param n Bytes.
 * @returns The size with a binary unit.
 * @example
 * ```ts
 * import { formatBytes } from "./progress.ts";
 * console.log(formatBytes(1536)); // "1.5 KiB"
 * ```
 */
export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ["KiB", "MiB", "GiB", "TiB"];
  let v = n / 1024;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${v.toFixed(1)} ${units[u]}`;
}

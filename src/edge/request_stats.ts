/**
 * Request counts and a request-duration histogram that an app records
 * into, for runtimes where autoprof cannot profile (workerd) and as a
 * cheap signal everywhere else. Publish it and every bundle's `expvar`
 * carries it: `publish("http_requests", stats)`.
 *
 * The numbers are only what the app measured, labelled as such: counts,
 * and wall-clock durations in milliseconds from the handler's call until
 * it returned its `Response` (streaming the body afterwards is not
 * included). On workerd the clock has whole-millisecond steps and, on
 * Cloudflare, advances only across I/O, so a request that only computes
 * records 0 ms. This is not a profile and is never stored as one.
 *
 * @module
 */

/** Default bucket bounds in milliseconds (upper bounds, inclusive). */
export const DEFAULT_DURATION_BUCKETS_MS: readonly number[] = Object.freeze([
  1,
  2,
  5,
  10,
  25,
  50,
  100,
  250,
  500,
  1000,
  2500,
  5000,
  10000,
  30000,
]);

/** Options for {@linkcode RequestStats}. */
export interface RequestStatsOptions {
  /**
   * Upper bounds of the duration buckets in milliseconds, strictly
   * increasing; a final `+Inf` bucket is always added.
   * @default {DEFAULT_DURATION_BUCKETS_MS: 1 ms to 30 s}
   */
  bucketsMs?: readonly number[];
  /**
   * The clock, in milliseconds.
   * @default {Date.now}
   */
  now?: () => number;
  /**
   * How durations are measured, shown as `measured` in the snapshot.
   * @default {"wall clock from the handler's call until it returned its Response (body streaming not included)"}
   */
  note?: string;
}

/** How one request ended, for {@linkcode RequestStats.record}. */
export interface RequestOutcome {
  /** The response status; counted by class (`2xx`, `4xx` ...). */
  status?: number;
  /** True if the handler threw instead of answering. */
  threw?: boolean;
}

/** One histogram bucket: requests that took at most `le_ms` (cumulative). */
export interface DurationBucket {
  /** Upper bound in milliseconds, or `"+Inf"`. */
  le_ms: number | "+Inf";
  /** Requests with a duration <= `le_ms` (cumulative, like Prometheus). */
  count: number;
}

/** What {@linkcode RequestStats.snapshot} returns (and `expvar` shows). */
export interface RequestStatsSnapshot {
  /** Always `"ms"`: the unit of every duration field. */
  unit: "ms";
  /** How durations were measured. */
  measured: string;
  /** Requests finished (answered or thrown). */
  count: number;
  /** Requests started but not finished. */
  in_flight: number;
  /** Requests whose handler threw. */
  threw: number;
  /** Finished requests by status class: `"2xx"`, `"4xx"`, `"5xx"` ... */
  status: Record<string, number>;
  /** Sum of all durations, in ms. */
  sum_ms: number;
  /** Longest duration, in ms (0 before the first request). */
  max_ms: number;
  /** Cumulative buckets, ending with `+Inf` (= `count`). */
  buckets: DurationBucket[];
}

const DEFAULT_NOTE = "wall clock from the handler's call until it returned its Response (body streaming not included)";

/**
 * Counts requests and their durations. Cheap (a few additions per
 * request) and synchronous; one instance per kind of request.
 *
 * @example Time a fetch handler and publish the numbers
 * ```ts
 * import { RequestStats } from "./request_stats.ts";
 * import { publish, unpublish } from "../expvar.ts";
 * const stats = new RequestStats();
 * publish("http_requests", stats); // serialized at each bundle via toJSON()
 * const handler = stats.wrap(async (_req: Request) => new Response("ok"));
 * await handler(new Request("http://example.com/"));
 * console.log(stats.snapshot().count); // 1
 * unpublish("http_requests");
 * ```
 */
export class RequestStats {
  #bounds: readonly number[];
  #cells: number[];
  #now: () => number;
  #note: string;
  #count = 0;
  #inFlight = 0;
  #threw = 0;
  #sum = 0;
  #max = 0;
  #status = new Map<string, number>();

  /**
   * @param options Buckets, clock and the measurement note.
   * @throws {RangeError} If the bucket bounds are not finite, positive
   *   and strictly increasing.
   */
  constructor(options: RequestStatsOptions = {}) {
    const bounds = options.bucketsMs ?? DEFAULT_DURATION_BUCKETS_MS;
    if (!Array.isArray(bounds) || bounds.length === 0) {
      throw new RangeError("Invalid option \"bucketsMs\": expected a non-empty array of milliseconds");
    }
    bounds.forEach((b, i) => {
      if (typeof b !== "number" || !Number.isFinite(b) || b <= 0 || (i > 0 && b <= bounds[i - 1]!)) {
        throw new RangeError(
          `Invalid option "bucketsMs": bounds must be finite, > 0 and strictly increasing: got ${JSON.stringify(bounds)}`,
        );
      }
    });
    this.#bounds = [...bounds];
    this.#cells = new Array<number>(bounds.length + 1).fill(0);
    this.#now = options.now ?? Date.now;
    this.#note = options.note ?? DEFAULT_NOTE;
  }

  /**
   * Marks a request as started; call the returned function when it ends.
   *
   * @returns `end(outcome)`, which records the duration once (later calls
   *   do nothing).
   * @example
   * ```ts
   * import { RequestStats } from "./request_stats.ts";
   * const stats = new RequestStats();
   * const end = stats.start();
   * end({ status: 204 });
   * console.log(stats.snapshot().status); // { "2xx": 1 }
   * ```
   */
  start(): (outcome?: RequestOutcome) => void {
    const begin = this.#now();
    this.#inFlight++;
    let ended = false;
    return (outcome = {}) => {
      if (ended) return;
      ended = true;
      this.#inFlight--;
      this.record(this.#now() - begin, outcome);
    };
  }

  /**
   * Records one finished request.
   *
   * @param durationMs How long it took, in ms (negative clock steps count as 0).
   * @param outcome Its status, or that it threw.
   * @throws {RangeError} If `durationMs` is not a finite number.
   * @example
   * ```ts
   * import { RequestStats } from "./request_stats.ts";
   * const stats = new RequestStats({ bucketsMs: [10, 100] });
   * stats.record(42, { status: 200 });
   * console.log(stats.snapshot().buckets); // [{ le_ms: 10, count: 0 }, { le_ms: 100, count: 1 }, { le_ms: "+Inf", count: 1 }]
   * ```
   */
  record(durationMs: number, outcome: RequestOutcome = {}): void {
    if (typeof durationMs !== "number" || !Number.isFinite(durationMs)) {
      throw new RangeError(`Cannot record a request: duration must be a finite number of ms: got ${String(durationMs)}`);
    }
    const d = Math.max(0, durationMs);
    let i = 0;
    while (i < this.#bounds.length && d > this.#bounds[i]!) i++;
    this.#cells[i]!++;
    this.#count++;
    this.#sum += d;
    if (d > this.#max) this.#max = d;
    if (outcome.threw === true) this.#threw++;
    if (typeof outcome.status === "number" && Number.isInteger(outcome.status)) {
      const cls = `${Math.floor(outcome.status / 100)}xx`;
      this.#status.set(cls, (this.#status.get(cls) ?? 0) + 1);
    }
  }

  /**
   * Wraps a fetch-style handler so every call is timed and counted. The
   * wrapper returns the handler's response unchanged and rethrows its
   * errors.
   *
   * @param handler `(request, ...rest) => Response | Promise<Response>`.
   * @returns The timed handler, with the same arguments.
   * @example
   * ```ts
   * import { RequestStats } from "./request_stats.ts";
   * const stats = new RequestStats();
   * const fetch = stats.wrap((_req: Request, _env: unknown) => new Response("hi"));
   * await fetch(new Request("http://example.com/"), {});
   * console.log(stats.snapshot().status["2xx"]); // 1
   * ```
   */
  wrap<A extends unknown[]>(
    handler: (request: Request, ...rest: A) => Response | Promise<Response>,
  ): (request: Request, ...rest: A) => Promise<Response> {
    return async (request, ...rest) => {
      const end = this.start();
      try {
        const response = await handler(request, ...rest);
        end({ status: response.status });
        return response;
      } catch (error) {
        end({ threw: true });
        throw error;
      }
    };
  }

  /**
   * The numbers so far, as a fresh JSON-ready object.
   *
   * @returns Counts, status classes and the cumulative histogram.
   * @example
   * ```ts
   * import { RequestStats } from "./request_stats.ts";
   * console.log(new RequestStats().snapshot().unit); // "ms"
   * ```
   */
  snapshot(): RequestStatsSnapshot {
    let cumulative = 0;
    const buckets: DurationBucket[] = this.#cells.map((n, i) => {
      cumulative += n;
      return { le_ms: i < this.#bounds.length ? this.#bounds[i]! : "+Inf", count: cumulative };
    });
    const status: Record<string, number> = {};
    for (const k of [...this.#status.keys()].sort()) status[k] = this.#status.get(k)!;
    return {
      unit: "ms",
      measured: this.#note,
      count: this.#count,
      in_flight: this.#inFlight,
      threw: this.#threw,
      status,
      sum_ms: this.#sum,
      max_ms: this.#max,
      buckets,
    };
  }

  /**
   * The snapshot, so that `publish(name, stats)` and `JSON.stringify`
   * show the current numbers.
   *
   * @returns {@linkcode RequestStats.snapshot}.
   */
  toJSON(): RequestStatsSnapshot {
    return this.snapshot();
  }
}

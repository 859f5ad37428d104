/**
 * Background work that must outlive a response: `ctx.waitUntil` where the
 * platform has it (Cloudflare Workers, workerd, Vercel, Netlify, Deno
 * Deploy), a detached promise elsewhere.
 *
 * @module
 */

/** The part of a serverless execution context autoprof uses. */
export interface WaitUntilContext {
  /** Keeps the invocation alive until `promise` settles, without delaying the response. */
  waitUntil(promise: Promise<unknown>): void;
}

/**
 * Hands `work` to `ctx.waitUntil` if the context has one; otherwise lets
 * it run detached. `work` must not reject (callers catch their errors).
 *
 * @param ctx The invocation's context, if any.
 * @param work The background promise.
 * @returns Whether `waitUntil` took it.
 * @example
 * ```ts
 * import { keepAlive } from "./wait_until.ts";
 * const pending: Promise<unknown>[] = [];
 * keepAlive({ waitUntil: (p) => pending.push(p) }, Promise.resolve());
 * console.log(pending.length); // 1
 * ```
 */
export function keepAlive(ctx: unknown, work: Promise<unknown>): boolean {
  const waitUntil = (ctx as { waitUntil?: unknown } | null | undefined)?.waitUntil;
  if (typeof waitUntil !== "function") return false;
  try {
    waitUntil.call(ctx, work);
    return true;
  } catch {
    // Some platforms refuse waitUntil after the response was sent.
    return false;
  }
}

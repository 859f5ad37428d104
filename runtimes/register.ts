/**
 * Zero-code start: preload this module and autoprof collects bundles as the
 * `AUTOPROF_*` environment variables say (see `src/config/env.ts`):
 *
 * ```sh
 * node --import autoprof/register app.js
 * deno run -A --preload=jsr:@autoprof/autoprof/register app.ts
 * bun --preload autoprof/register app.ts
 * AUTOPROF_DIR=./profiles AUTOPROF_INTERVAL=1m node --import autoprof/register app.js
 * ```
 *
 * It never crashes or holds open the app: bad settings print one warning
 * each on stderr, and timers are unreferenced.
 *
 * @module
 */
import process from "node:process";
import { setupFromEnv } from "./_register/setup.ts";

setupFromEnv(readEnv());

function readEnv(): Record<string, string | undefined> {
  try {
    // A plain copy: Deno without --allow-env throws on access.
    return { ...process.env };
  } catch {
    return {};
  }
}

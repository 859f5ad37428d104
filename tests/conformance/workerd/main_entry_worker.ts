/**
 * Test-only Worker for the workerd conformance target: collects a bundle
 * through the package's main entry (mod.ts), which must detect workerd and
 * load the workerd adapter (this Worker runs with `nodejs_compat`).
 *
 * @module
 */
import { collect } from "../../../mod.ts";

const worker: { fetch(request: Request): Promise<Response> } = {
  async fetch(): Promise<Response> {
    const bytes = await collect({ meta: { main: "main-entry-fixture" } });
    return new Response(bytes as Uint8Array<ArrayBuffer>, { headers: { "content-type": "application/zip" } });
  },
};

export default worker;

// Test-only Worker for the workerd conformance target: sends real events to
// the services under test through service bindings (workerd has no cron
// test endpoint of its own). Needs the experimental compatibility flag
// `service_binding_extra_handlers`, i.e. `workerd serve --experimental`.
//   GET /scheduled?cron=…      -> env.EDGE.scheduled({ cron, scheduledTime })
//   ANY /plain/<path>          -> env.PLAIN.fetch (the example without nodejs_compat)
//   ANY /main/<path>           -> env.MAIN.fetch (a Worker using the main entry, mod.ts)
export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    if (url.pathname === "/health") return new Response("ok\n");
    if (url.pathname === "/scheduled") {
      const cron = url.searchParams.get("cron") ?? "* * * * *";
      const scheduledTime = Number(url.searchParams.get("time") ?? Date.now());
      const result = await env.EDGE.scheduled({ cron, scheduledTime: new Date(scheduledTime) });
      return Response.json({ cron, scheduledTime, result });
    }
    for (const [prefix, target] of [["/plain", env.PLAIN], ["/main", env.MAIN]]) {
      if (url.pathname.startsWith(`${prefix}/`)) {
        const forwarded = new URL(url.pathname.slice(prefix.length) + url.search, url.origin);
        return await target.fetch(new Request(forwarded, request));
      }
    }
    return new Response("not found\n", { status: 404 });
  },
};

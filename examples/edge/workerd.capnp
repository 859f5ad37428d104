# Runs examples/edge/worker.ts under plain workerd on 127.0.0.1:8787 (see docs/EDGE.md):
#   .tools/workerd/node_modules/.bin/esbuild examples/edge/worker.ts --bundle --format=esm \
#     --platform=neutral --target=es2022 --main-fields=module,main --conditions=workerd,worker,browser \
#     --external:'node:*' --external:'cloudflare:*' --outfile=examples/edge/dist/worker.js
#   .tools/workerd/node_modules/.bin/workerd serve examples/edge/workerd.capnp
# The bindings are read from workerd's environment when it starts.
using Workerd = import "/workerd/workerd.capnp";

const config :Workerd.Config = (
  services = [
    ( name = "edge", worker = .edge ),
    # workerd's default outbound service refuses loopback addresses; a local S3 needs this one.
    ( name = "loopback", network = ( allow = ["public", "local"] ) ),
  ],
  sockets = [ ( name = "http", address = "127.0.0.1:8787", http = (), service = "edge" ) ],
);

const edge :Workerd.Worker = (
  modules = [ ( name = "worker.js", esModule = embed "dist/worker.js" ) ],
  compatibilityDate = "2026-11-01",
  globalOutbound = "loopback",
  bindings = [
    ( name = "S3_ENDPOINT", fromEnvironment = "S3_ENDPOINT" ),
    ( name = "S3_REGION", fromEnvironment = "S3_REGION" ),
    ( name = "S3_BUCKET", fromEnvironment = "S3_BUCKET" ),
    ( name = "S3_ACCESS_KEY", fromEnvironment = "S3_ACCESS_KEY" ),
    ( name = "S3_SECRET_KEY", fromEnvironment = "S3_SECRET_KEY" ),
    ( name = "AUTOPROF_SAMPLE_ONE_IN", fromEnvironment = "AUTOPROF_SAMPLE_ONE_IN" ),
    ( name = "AUTOPROF_TOKEN", fromEnvironment = "AUTOPROF_TOKEN" ),
  ],
);

#!/usr/bin/env node
/**
 * The `autoprof` command: list, inspect, extract, merge and view bundles in
 * a directory or an S3 prefix. See docs/CLI.md.
 *
 * ```sh
 * npx autoprof ls --store ./profiles
 * deno run -A jsr:@autoprof/autoprof/cli show 2026-11-25T02:00
 * bunx autoprof extract bundle.zip out
 * ```
 *
 * Running this module runs the CLI with the process's arguments.
 *
 * @module
 */
import process from "node:process";
import { runCli } from "../src/cli/main.ts";
import { processHost } from "./_cli/host.ts";

process.exitCode = await runCli(process.argv.slice(2), processHost());

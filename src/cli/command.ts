/**
 * The shape every CLI command has, and the options several share.
 *
 * @module
 */
import type { OptionSpecs, ParsedArgs } from "./args.ts";
import type { CliHost } from "./host.ts";

/** One `autoprof <name>` command. */
export interface Command {
  /** The word after `autoprof`. */
  name: string;
  /** One line for `autoprof --help`. */
  summary: string;
  /** The full `--help` text (usage, options, examples). */
  help: string;
  /** Accepted options (`--help` is added for every command). */
  options: OptionSpecs;
  /**
   * Runs the command.
   *
   * @returns The process exit status.
   */
  run(args: ParsedArgs, host: CliHost): Promise<number>;
}

/** `--store`: where bundles are (directory or `s3://bucket/prefix`). */
export const STORE_OPTION: OptionSpecs = { store: { type: "string", short: "s" } };

/** `--main`, `--host`, `--proc`, `--since`, `--until`. */
export const FILTER_OPTIONS: OptionSpecs = {
  main: { type: "string" },
  host: { type: "string" },
  proc: { type: "string" },
  since: { type: "string" },
  until: { type: "string" },
};

/** Help text for {@linkcode STORE_OPTION}. */
export const STORE_HELP = `  -s, --store DIR|s3://BUCKET/PREFIX
                     where bundles are: a directory written by the filesystem sink, or an
                     S3 prefix (credentials and endpoint from AWS_ACCESS_KEY_ID,
                     AWS_SECRET_ACCESS_KEY, AWS_REGION, AWS_ENDPOINT_URL_S3). Default:
                     $AUTOPROF_S3_URL, else $AUTOPROF_DIR, else ./profiles`;

/** Help text for {@linkcode FILTER_OPTIONS}. */
export const FILTER_HELP = `      --main NAME    only this program (meta.main)
      --host NAME    only this host (meta.hostname)
      --proc ID      only this process (meta.proc_id, or its start)
      --since TIME   captured at or after TIME: 2026-11-25T02:00Z, 2026-11-25, or a
                     duration before now (90m, 2h)
      --until TIME   captured before TIME (same forms)`;

/**
 * The `autoprof` command line: finds a command, parses its options, runs
 * it, and turns failures into a one-line message and an exit status (2 for
 * usage mistakes, 1 for everything else). Runtime-agnostic: the runtime
 * entry (`runtimes/cli.ts`) passes argv and a {@linkcode CliHost}.
 *
 * @module
 */
import { describeError } from "../errors.ts";
import { parseArgs, UsageError } from "./args.ts";
import type { Command } from "./command.ts";
import { extractCommand } from "./extract.ts";
import type { CliHost } from "./host.ts";
import { lsCommand } from "./ls.ts";
import { mergeCommand } from "./merge.ts";
import { showCommand } from "./show.ts";
import { viewCommand } from "./view.ts";

/** Every command, in the order `--help` lists them. */
export const COMMANDS: readonly Command[] = [lsCommand, showCommand, extractCommand, mergeCommand, viewCommand];

/**
 * The top-level `autoprof --help` text.
 *
 * @param commands The commands to list.
 * @returns The help text.
 * @example
 * ```ts
 * import { COMMANDS, mainHelp } from "./main.ts";
 * console.log(mainHelp(COMMANDS).startsWith("Usage: autoprof")); // true
 * ```
 */
export function mainHelp(commands: readonly Command[]): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  return `Usage: autoprof COMMAND [options]

Find, inspect and open autoprof bundles in a directory or an S3 prefix.

Commands:
${commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`).join("\n")}

Run autoprof COMMAND --help for a command's options. Where bundles are: --store DIR or
--store s3://BUCKET/PREFIX, else $AUTOPROF_S3_URL, else $AUTOPROF_DIR, else ./profiles.
`;
}

/**
 * Runs the CLI.
 *
 * @param argv Arguments after the program name, e.g. `["ls", "--main", "api"]`.
 * @param host Output, environment, files and network for the commands.
 * @param commands The commands (tests may pass their own).
 * @returns The exit status: 0 success, 1 failure, 2 usage mistake.
 * @example
 * ```ts ignore
 * import { runCli } from "./main.ts";
 * process.exitCode = await runCli(process.argv.slice(2), host);
 * ```
 */
export async function runCli(argv: readonly string[], host: CliHost, commands: readonly Command[] = COMMANDS): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === "--help" || name === "-h" || name === "help") {
    const topic = name === "help" ? commands.find((c) => c.name === rest[0]) : undefined;
    (name === undefined ? host.stderr : host.stdout).write(topic?.help ?? mainHelp(commands));
    return name === undefined ? 2 : 0;
  }
  const command = commands.find((c) => c.name === name);
  if (command === undefined) {
    host.stderr.write(`autoprof: unknown command ${JSON.stringify(name)}: expected one of ${commands.map((c) => c.name).join(", ")} (autoprof --help)\n`);
    return 2;
  }
  try {
    const args = parseArgs(rest, { ...command.options, help: { type: "boolean", short: "h" } });
    if (args.options.help) {
      host.stdout.write(command.help);
      return 0;
    }
    return await command.run(args, host);
  } catch (e) {
    if (e instanceof UsageError) {
      host.stderr.write(`autoprof ${command.name}: ${e.message}\nRun autoprof ${command.name} --help for usage.\n`);
      return 2;
    }
    host.stderr.write(`autoprof ${command.name}: ${describeError(e)}\n`);
    return 1;
  }
}

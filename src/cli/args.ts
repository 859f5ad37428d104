/**
 * Command-line argument parsing for the `autoprof` CLI: GNU-style long
 * options (`--main api`, `--main=api`), short boolean or valued options
 * (`-o out.pb.gz`), `--` to end options, and positionals anywhere. Small and
 * strict: an unknown option or a missing value is a {@linkcode UsageError}
 * that names the fix.
 *
 * @module
 */

/** How one option is read. */
export interface OptionSpec {
  /** `"boolean"` options take no value; `"string"` options take exactly one. */
  type: "boolean" | "string";
  /** One-letter alias, e.g. `"o"` for `-o`. */
  short?: string;
  /** Whether the option may repeat; its value is then an array. */
  multiple?: boolean;
}

/** The options a command accepts, by long name. */
export type OptionSpecs = Record<string, OptionSpec>;

/** What {@linkcode parseArgs} returns. */
export interface ParsedArgs {
  /** Option values by long name: `true` for booleans, strings (or string arrays) for valued options. */
  options: Record<string, string | boolean | string[]>;
  /** Arguments that are not options, in order. */
  positionals: string[];
}

/**
 * A mistake in how the CLI was called. The CLI prints the message and a
 * pointer to `--help`, and exits with status 2.
 *
 * @example
 * ```ts
 * import { UsageError } from "./args.ts";
 * const e = new UsageError("Unknown option: --nope");
 * console.log(e.name); // "UsageError"
 * ```
 */
export class UsageError extends Error {
  /**
   * @param message What is wrong, with the offending text after a colon.
   */
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

/**
 * Parses command-line arguments against option specs.
 *
 * @param argv The arguments after the command name.
 * @param specs The accepted options.
 * @returns Option values and positionals.
 * @throws {UsageError} On an unknown option, a missing value, or a value given to a boolean option.
 * @example
 * ```ts
 * import { parseArgs } from "./args.ts";
 * const { options, positionals } = parseArgs(["--main=api", "-j", "b.zip"], {
 *   main: { type: "string" },
 *   json: { type: "boolean", short: "j" },
 * });
 * console.log(options.main, options.json, positionals); // "api" true ["b.zip"]
 * ```
 */
export function parseArgs(argv: readonly string[], specs: OptionSpecs): ParsedArgs {
  const options: Record<string, string | boolean | string[]> = {};
  const positionals: string[] = [];
  const shorts = new Map<string, string>();
  for (const [name, spec] of Object.entries(specs)) if (spec.short !== undefined) shorts.set(spec.short, name);

  const set = (name: string, value: string | boolean) => {
    const spec = specs[name]!;
    if (spec.multiple) {
      const list = (options[name] as string[] | undefined) ?? [];
      list.push(String(value));
      options[name] = list;
    } else {
      options[name] = value;
    }
  };

  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === "--") {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (arg.startsWith("--")) {
      const eq = arg.indexOf("=");
      const name = eq < 0 ? arg.slice(2) : arg.slice(2, eq);
      const spec = Object.hasOwn(specs, name) ? specs[name] : undefined;
      if (spec === undefined) throw new UsageError(`Unknown option: --${name}`);
      if (spec.type === "boolean") {
        if (eq >= 0) throw new UsageError(`Option --${name} takes no value: got ${JSON.stringify(arg)}`);
        set(name, true);
      } else if (eq >= 0) {
        set(name, arg.slice(eq + 1));
      } else {
        if (i + 1 >= argv.length) throw new UsageError(`Option --${name} needs a value: e.g. --${name}=VALUE`);
        set(name, argv[++i]!);
      }
      continue;
    }
    if (arg.startsWith("-") && arg.length > 1) {
      // A cluster of short flags (`-jq`); a valued one takes the rest of the
      // cluster or the next argument (`-oout.pb.gz`, `-o out.pb.gz`).
      for (let k = 1; k < arg.length; k++) {
        const letter = arg[k]!;
        const name = shorts.get(letter);
        if (name === undefined) throw new UsageError(`Unknown option: -${letter}`);
        if (specs[name]!.type === "boolean") {
          set(name, true);
          continue;
        }
        const rest = arg.slice(k + 1);
        if (rest !== "") set(name, rest);
        else if (i + 1 < argv.length) set(name, argv[++i]!);
        else throw new UsageError(`Option -${letter} (--${name}) needs a value`);
        break;
      }
      continue;
    }
    positionals.push(arg);
  }
  return { options, positionals };
}

/**
 * Reads a string option that may be absent.
 *
 * @param parsed Result of {@linkcode parseArgs}.
 * @param name The option's long name.
 * @returns The value, or `undefined`.
 * @example
 * ```ts
 * import { parseArgs, stringOption } from "./args.ts";
 * console.log(stringOption(parseArgs(["--x", "1"], { x: { type: "string" } }), "x")); // "1"
 * ```
 */
export function stringOption(parsed: ParsedArgs, name: string): string | undefined {
  const v = parsed.options[name];
  if (v === undefined || typeof v === "string") return v;
  if (Array.isArray(v)) return v[v.length - 1];
  return undefined;
}

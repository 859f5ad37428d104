/**
 * Internal: the parts of a pprof profile that CPU and heap conversion share.
 * A string table with index 0 = "", functions and locations deduplicated by
 * key (ids are index + 1, since 0 means "none" in pprof), a trie of stacks
 * so a stack is built once per call-tree path, and samples aggregated by
 * stack.
 *
 * @module
 */

// Only protobuf-es's wire writer: this module runs on the profiled
// thread, and the reflection runtime with the pprof descriptors (booted
// when profile_pb.ts is imported) would be code V8 logs again at every CPU
// profile start. The message form is in ./messages.ts.
import { BinaryWriter, WireType } from "@bufbuild/protobuf/wire";
import type { CdpCallFrame } from "./cdp_types.ts";

/** Stack id of the empty stack (the call tree's root). */
export const EMPTY_STACK = 0;

/**
 * The pprof file name for a CDP script URL: `file://` URLs become plain
 * paths (what `go tool pprof -source_path` and editors expect); everything
 * else (`node:internal/...`, `https://...`, `""`) is kept.
 */
export function fileName(url: string): string {
  if (!url.startsWith("file://")) return url;
  let path = url.slice("file://".length);
  // file://host/path is rare; file:///path has an empty host.
  if (!path.startsWith("/")) path = path.slice(path.indexOf("/"));
  try {
    path = decodeURIComponent(path);
  } catch {
    // Keep the undecoded path for malformed escapes.
  }
  // file:///C:/x on Windows: drop the slash before the drive letter.
  if (/^\/[A-Za-z]:\//.test(path)) path = path.slice(1);
  return path;
}

/**
 * Stack id of call-tree node `index`, building (and caching in `stackOf`)
 * the stacks of its not-yet-seen ancestors. Iterative: walks up to the
 * nearest ancestor with a known stack, then back down, so each node is
 * visited once over all calls however deep the tree is.
 *
 * @param parent parent index of each node, -1 for roots; must be acyclic.
 * @param stackOf per-node cache, -1 = not built yet.
 * @param frameOf the node's frame, or `undefined` if the node is not a
 * frame (the `(root)` node), in which case it shares its parent's stack.
 */
export function nodeStack(
  builder: ProfileBuilder,
  index: number,
  parent: Int32Array,
  stackOf: Int32Array,
  frameOf: (index: number) => CdpCallFrame | undefined,
): number {
  const path = scratchPath;
  path.length = 0;
  let j = index;
  while (j >= 0 && stackOf[j] < 0) {
    path.push(j);
    j = parent[j];
  }
  let stack = j >= 0 ? stackOf[j] : EMPTY_STACK;
  for (let k = path.length - 1; k >= 0; k--) {
    const node = path[k];
    const frame = frameOf(node);
    if (frame !== undefined) stack = builder.stack(stack, builder.location(frame));
    stackOf[node] = stack;
  }
  return stack;
}

// Reused by nodeStack (never re-entered) to spare an allocation per call.
const scratchPath: number[] = [];

/** pprof lines and columns are 1-based with 0 = unknown; CDP's are 0-based with -1 = unknown. */
function oneBased(zeroBased: number): number {
  return Number.isInteger(zeroBased) && zeroBased >= 0 ? zeroBased + 1 : 0;
}

/**
 * The display name of a frame. Anonymous functions get their position so
 * that different closures in one file stay apart in pprof's views.
 */
export function functionName(frame: CdpCallFrame): string {
  if (frame.functionName !== "") return frame.functionName;
  const line = oneBased(frame.lineNumber);
  if (line === 0) return "(anonymous)";
  return `(anonymous:${line}:${oneBased(frame.columnNumber)})`;
}

const MAX_FAST_LINE = 2 ** 28;
const MAX_FAST_COLUMN = 2 ** 24;

/**
 * Open-addressing hash table from a pair of small non-negative integers to
 * an integer, on typed arrays: the stack trie inserts one entry per call
 * tree node, and a `Map` keyed by `a * 2^k + b` would box most keys as heap
 * numbers (past 2^31) and churn the GC.
 */
class PairTable {
  #a: Int32Array = new Int32Array(1024).fill(-1);
  #b: Int32Array = new Int32Array(1024);
  #value: Int32Array = new Int32Array(1024);
  #size = 0;

  /** The value stored for (a, b); stores and returns `value` if there is none. */
  intern(a: number, b: number, value: number): number {
    const mask = this.#a.length - 1;
    let slot = (Math.imul(a, 0x9e3779b1) ^ Math.imul(b, 0x85ebca6b)) & mask;
    for (;;) {
      const slotA = this.#a[slot];
      if (slotA === -1) break;
      if (slotA === a && this.#b[slot] === b) return this.#value[slot];
      slot = (slot + 1) & mask;
    }
    this.#a[slot] = a;
    this.#b[slot] = b;
    this.#value[slot] = value;
    if (++this.#size * 2 > this.#a.length) this.#grow();
    return value;
  }

  #grow(): void {
    const [a, b, value] = [this.#a, this.#b, this.#value];
    this.#a = new Int32Array(a.length * 2).fill(-1);
    this.#b = new Int32Array(a.length * 2);
    this.#value = new Int32Array(a.length * 2);
    this.#size = 0;
    for (let i = 0; i < a.length; i++) {
      if (a[i] !== -1) this.intern(a[i], b[i], value[i]);
    }
  }
}

/**
 * Accumulates strings, functions, locations, stacks and samples, as plain
 * numbers; {@linkcode ProfileBuilder.encode} writes the wire format
 * straight from them, which is what autoprof stores (about 2-3x faster
 * than building and serializing message objects). Code that wants the
 * message decodes those bytes (`buildProfile` in ./messages.ts).
 */
export class ProfileBuilder {
  #strings: string[] = [""];
  #stringIds: Map<string, number> = new Map([["", 0]]);
  // Function id i + 1: name (string id), file (string id), start line.
  #functionName: number[] = [];
  #functionFile: number[] = [];
  #functionLine: number[] = [];
  #functionIds: Map<string, number> = new Map();
  // Location id i + 1: function id, line, column (one line per location).
  #locationFunction: number[] = [];
  #locationLine: number[] = [];
  #locationColumn: number[] = [];
  #locationIds: Map<string, number> = new Map();
  // Stack trie: stack id -> (parent stack id, leaf location id).
  #stackParent: number[] = [0];
  #stackLocation: number[] = [0];
  #stackIds: PairTable = new PairTable();
  // scriptId -> url -> position -> functionName -> location id.
  #frameCache: Map<string, Map<string, Map<number, Map<string, number>>>> = new Map();
  // Aggregated samples: stack id -> row in #values.
  #sampleRows: Map<number, number> = new Map();
  #sampleStacks: number[] = [];
  #values: number[][] = [];
  #width: number;

  /** @param width number of values per sample (sample types). */
  constructor(width: number) {
    this.#width = width;
  }

  /** Index of `value` in the string table, adding it if needed. */
  string(value: string): number {
    let id = this.#stringIds.get(value);
    if (id === undefined) {
      id = this.#strings.length;
      this.#strings.push(value);
      this.#stringIds.set(value, id);
    }
    return id;
  }

  /**
   * Location id for a frame. Functions are keyed by script, name and file
   * (two closures with the same name in one script are the same function
   * to pprof, like in Go); locations by function, line and column.
   */
  location(frame: CdpCallFrame): number {
    // Fast path: a call tree repeats the same few hundred frames across
    // thousands of nodes, so look the raw frame up in nested maps keyed by
    // its own strings (whose hashes V8 caches) and a number for the
    // position, instead of building key strings for every node.
    const { lineNumber, columnNumber } = frame;
    if (
      lineNumber >= -1 && lineNumber < MAX_FAST_LINE && columnNumber >= -1 && columnNumber < MAX_FAST_COLUMN &&
      Number.isInteger(lineNumber) && Number.isInteger(columnNumber)
    ) {
      const position = (lineNumber + 1) * MAX_FAST_COLUMN + (columnNumber + 1);
      let byUrl = this.#frameCache.get(frame.scriptId);
      if (byUrl === undefined) this.#frameCache.set(frame.scriptId, byUrl = new Map());
      let byPosition = byUrl.get(frame.url);
      if (byPosition === undefined) byUrl.set(frame.url, byPosition = new Map());
      let byName = byPosition.get(position);
      if (byName === undefined) byPosition.set(position, byName = new Map());
      let id = byName.get(frame.functionName);
      if (id === undefined) {
        id = this.#location(frame);
        byName.set(frame.functionName, id);
      }
      return id;
    }
    return this.#location(frame);
  }

  /**
   * Location id for a line inside a frame's function: the function as
   * {@linkcode location} keys it, at `line` (1-based), column unknown. For
   * CPU samples V8 attributes to the line that was running.
   */
  lineLocation(frame: CdpCallFrame, line: number): number {
    return this.#location(frame, line, 0);
  }

  #location(frame: CdpCallFrame, line = oneBased(frame.lineNumber), column = oneBased(frame.columnNumber)): number {
    const name = functionName(frame);
    const fnKey = `${frame.scriptId}\u0000${name}\u0000${frame.url}`;
    let fnId = this.#functionIds.get(fnKey);
    if (fnId === undefined) {
      fnId = this.#functionName.length + 1;
      this.#functionIds.set(fnKey, fnId);
      this.#functionName.push(this.string(name));
      this.#functionFile.push(this.string(fileName(frame.url)));
      this.#functionLine.push(oneBased(frame.lineNumber));
    }
    const locKey = `${fnId}:${line}:${column}`;
    let locId = this.#locationIds.get(locKey);
    if (locId === undefined) {
      locId = this.#locationFunction.length + 1;
      this.#locationIds.set(locKey, locId);
      this.#locationFunction.push(fnId);
      this.#locationLine.push(line);
      this.#locationColumn.push(column);
    }
    return locId;
  }

  /** Stack id of `parent` with `locationId` called on top of it. */
  stack(parent: number, locationId: number): number {
    const next = this.#stackParent.length;
    const id = this.#stackIds.intern(parent, locationId, next);
    if (id === next) {
      this.#stackParent.push(parent);
      this.#stackLocation.push(locationId);
    }
    return id;
  }

  /** The stack `stackId` was called from (its leaf location removed). */
  stackParent(stackId: number): number {
    return this.#stackParent[stackId];
  }

  /** Adds `values` to the sample of `stackId` (samples with equal stacks are merged). */
  add(stackId: number, values: readonly number[]): void {
    let row = this.#sampleRows.get(stackId);
    if (row === undefined) {
      row = this.#values.length;
      this.#sampleRows.set(stackId, row);
      this.#sampleStacks.push(stackId);
      this.#values.push(new Array<number>(this.#width).fill(0));
    }
    const sums = this.#values[row];
    for (let i = 0; i < this.#width; i++) sums[i] += values[i];
  }

  /**
   * The finished profile as protobuf bytes (not gzipped), written straight
   * from the builder's tables: fields in field-number order, zero values
   * left out, as protobuf-es's `toBinary` writes the same message.
   */
  encode(fields: ProfileFields): Uint8Array {
    const w = new BinaryWriter();
    const valueType = (field: number, [type, unit]: readonly [string, string]): void => {
      w.tag(field, WireType.LengthDelimited).fork();
      intField(w, 1, this.string(type));
      intField(w, 2, this.string(unit));
      w.join();
    };
    // Intern every string first: the table is written after the samples.
    for (const t of fields.sampleTypes) {
      this.string(t[0]);
      this.string(t[1]);
    }
    this.string(fields.periodType[0]);
    this.string(fields.periodType[1]);
    const defaultSampleType = fields.defaultSampleType === undefined ? 0 : this.string(fields.defaultSampleType);

    for (const t of fields.sampleTypes) valueType(1, t);
    const stacks = this.#sampleStacks;
    for (let i = 0; i < stacks.length; i++) {
      w.tag(2, WireType.LengthDelimited).fork();
      if (stacks[i] !== EMPTY_STACK) {
        w.tag(1, WireType.LengthDelimited).fork();
        for (let s = stacks[i]; s !== EMPTY_STACK; s = this.#stackParent[s]) w.uint32(this.#stackLocation[s]);
        w.join();
      }
      const values = this.#values[i];
      if (values.length > 0) {
        w.tag(2, WireType.LengthDelimited).fork();
        for (let j = 0; j < values.length; j++) {
          const v = Math.round(values[j]);
          if (v >= 0 && v <= 0xffffffff) w.uint32(v);
          else w.int64(v);
        }
        w.join();
      }
      w.join();
    }
    for (let i = 0; i < this.#locationFunction.length; i++) {
      w.tag(4, WireType.LengthDelimited).fork();
      intField(w, 1, i + 1);
      w.tag(4, WireType.LengthDelimited).fork();
      intField(w, 1, this.#locationFunction[i]);
      intField(w, 2, this.#locationLine[i]);
      intField(w, 3, this.#locationColumn[i]);
      w.join();
      w.join();
    }
    for (let i = 0; i < this.#functionName.length; i++) {
      w.tag(5, WireType.LengthDelimited).fork();
      intField(w, 1, i + 1);
      intField(w, 2, this.#functionName[i]);
      intField(w, 3, this.#functionName[i]);
      intField(w, 4, this.#functionFile[i]);
      intField(w, 5, this.#functionLine[i]);
      w.join();
    }
    for (const text of this.#strings) w.tag(6, WireType.LengthDelimited).string(text);
    intField(w, 9, fields.timeNanos);
    intField(w, 10, fields.durationNanos);
    valueType(11, fields.periodType);
    intField(w, 12, fields.period);
    intField(w, 14, defaultSampleType);
    return w.finish();
  }
}

/** Writes a non-negative integer as a varint (uint32 fast path, int64 beyond). */
function varint(w: BinaryWriter, value: number): void {
  if (value >= 0 && value <= 0xffffffff) w.uint32(value);
  else w.int64(value);
}

/** Writes an int64 field, leaving it out when 0 (proto3 implicit presence). */
function intField(w: BinaryWriter, field: number, value: number | bigint): void {
  if (value === 0 || value === 0n) return;
  w.tag(field, WireType.Varint);
  if (typeof value === "bigint") w.int64(value);
  else varint(w, value);
}

/** Profile-level fields passed to {@linkcode ProfileBuilder.encode}. */
export interface ProfileFields {
  /** `[type, unit]` of each sample value, in order. */
  sampleTypes: readonly (readonly [string, string])[];
  /** `[type, unit]` of the sampling period. */
  periodType: readonly [string, string];
  /** Events between samples, in `periodType` units. */
  period: bigint;
  /** Collection start, nanoseconds since the Unix epoch. */
  timeNanos: bigint;
  /** Length of the collection, nanoseconds. */
  durationNanos: bigint;
  /** Name of the preferred sample type, if not the last. */
  defaultSampleType?: string;
}

/**
 * What `autoprof ls` shows for each bundle (its meta and entry names),
 * read with two small range reads instead of downloading the bundle: the
 * archive's tail (end record and central directory), then the `meta`
 * entry's bytes. Bundles are STORE zips with `meta` first, so this is a few
 * KiB per bundle even when profiles are megabytes. Anything unusual falls
 * back to reading the whole bundle with the hardened `readBundle`.
 *
 * @module
 */
import type { Meta } from "../types.ts";
import { describeError } from "../errors.ts";
import { META } from "../names.ts";
import { readBundle } from "../read_bundle.ts";
import { crc32 } from "../zip/_crc32.ts";
import type { BundleStore, StoredBundle } from "./store.ts";

/** One bundle's listing row. */
export interface BundleSummary {
  /** The listed bundle (key, size, key parts). */
  bundle: StoredBundle;
  /** The bundle's meta, if it could be read. */
  meta?: Meta;
  /** Entry names in archive order, if they could be read. */
  names?: string[];
  /** Why the bundle could not be read. */
  error?: string;
}

const TAIL = 64 * 1024;
const EOCD_SIZE = 22;
const CENTRAL_SIZE = 46;
const LOCAL_SIZE = 30;
const MAX_META = 1024 * 1024;
const utf8 = new TextDecoder("utf-8", { fatal: true });

/**
 * Reads one bundle's meta and entry names.
 *
 * @param store Where the bundle is.
 * @param bundle The listed bundle.
 * @returns The summary; a bundle that cannot be read has `error` set (never throws).
 * @example
 * ```ts ignore
 * import { summarizeBundle } from "./bundle_summary.ts";
 * const [first] = await store.list({});
 * console.log((await summarizeBundle(store, first)).names);
 * ```
 */
export async function summarizeBundle(store: BundleStore, bundle: StoredBundle): Promise<BundleSummary> {
  try {
    const quick = await quickSummary(store, bundle);
    if (quick !== undefined) return { bundle, ...quick };
  } catch {
    // Fall through to the full, strict read for a precise error.
  }
  try {
    const { meta, names } = readBundle(await store.read(bundle.key));
    return { bundle, meta, names };
  } catch (e) {
    return { bundle, error: describeError(e) };
  }
}

/**
 * Summarizes many bundles, a few at a time.
 *
 * @param store Where the bundles are.
 * @param bundles The listed bundles.
 * @param options Parallel reads and a callback after each bundle.
 * @returns Summaries in the order of `bundles`.
 * @example
 * ```ts ignore
 * import { summarizeBundles } from "./bundle_summary.ts";
 * const rows = await summarizeBundles(store, await store.list({}), { onEach: () => bar.advance() });
 * ```
 */
export async function summarizeBundles(
  store: BundleStore,
  bundles: readonly StoredBundle[],
  options: { concurrency?: number; onEach?: () => void } = {},
): Promise<BundleSummary[]> {
  const out: BundleSummary[] = new Array(bundles.length);
  let next = 0;
  const worker = async () => {
    while (next < bundles.length) {
      const i = next++;
      out[i] = await summarizeBundle(store, bundles[i]!);
      options.onEach?.();
    }
  };
  await Promise.all(Array.from({ length: Math.min(options.concurrency ?? 8, bundles.length) }, worker));
  return out;
}

interface CentralEntry {
  name: string;
  method: number;
  crc: number;
  compressedSize: number;
  localOffset: number;
}

async function quickSummary(store: BundleStore, bundle: StoredBundle): Promise<{ meta: Meta; names: string[] } | undefined> {
  const size = bundle.size;
  if (size < EOCD_SIZE) return undefined;
  const tailStart = Math.max(0, size - TAIL);
  const tail = await store.readRange(bundle.key, tailStart, size - tailStart);
  if (tail.length !== size - tailStart) return undefined;
  const view = new DataView(tail.buffer, tail.byteOffset, tail.byteLength);
  let eocd = -1;
  for (let i = tail.length - EOCD_SIZE; i >= 0; i--) {
    if (view.getUint32(i, true) === 0x06054b50 && i + EOCD_SIZE + view.getUint16(i + 20, true) === tail.length) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) return undefined;
  const count = view.getUint16(eocd + 10, true);
  const cdSize = view.getUint32(eocd + 12, true);
  const cdOffset = view.getUint32(eocd + 16, true);
  if (cdOffset + cdSize !== tailStart + eocd || cdOffset < tailStart) return undefined;
  const entries = readCentral(tail.subarray(cdOffset - tailStart, eocd), count);
  if (entries === undefined || entries[0]?.name !== META) return undefined;
  const meta = entries[0];
  if (meta.method !== 0 || meta.compressedSize > MAX_META) return undefined;
  const head = await store.readRange(bundle.key, meta.localOffset, LOCAL_SIZE + 1024 + meta.compressedSize);
  if (head.length < LOCAL_SIZE) return undefined;
  const hv = new DataView(head.buffer, head.byteOffset, head.byteLength);
  if (hv.getUint32(0, true) !== 0x04034b50) return undefined;
  const start = LOCAL_SIZE + hv.getUint16(26, true) + hv.getUint16(28, true);
  const data = head.subarray(start, start + meta.compressedSize);
  if (data.length !== meta.compressedSize || crc32(data) !== meta.crc) return undefined;
  const parsed = JSON.parse(utf8.decode(data)) as Meta;
  if (typeof parsed !== "object" || parsed === null || typeof parsed.capture_time !== "string") return undefined;
  return { meta: parsed, names: entries.map((e) => e.name) };
}

function readCentral(cd: Uint8Array, count: number): CentralEntry[] | undefined {
  const view = new DataView(cd.buffer, cd.byteOffset, cd.byteLength);
  const out: CentralEntry[] = [];
  let p = 0;
  for (let k = 0; k < count; k++) {
    if (p + CENTRAL_SIZE > cd.length || view.getUint32(p, true) !== 0x02014b50) return undefined;
    const nameLen = view.getUint16(p + 28, true);
    const next = p + CENTRAL_SIZE + nameLen + view.getUint16(p + 30, true) + view.getUint16(p + 32, true);
    if (next > cd.length) return undefined;
    out.push({
      name: utf8.decode(cd.subarray(p + CENTRAL_SIZE, p + CENTRAL_SIZE + nameLen)),
      method: view.getUint16(p + 10, true),
      crc: view.getUint32(p + 16, true),
      compressedSize: view.getUint32(p + 20, true),
      localOffset: view.getUint32(p + 42, true),
    });
    p = next;
  }
  return p === cd.length ? out : undefined;
}

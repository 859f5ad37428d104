/**
 * Merges pprof profiles into one, like `go tool pprof -proto a.pb.gz b.pb.gz`:
 * many bundles' CPU or heap profiles become one profile (one service, one
 * hour). Profiles must have the same sample types (type and unit, in
 * order) and period type; string, function, mapping and location tables
 * are remapped and deduplicated, and samples with the same stack and labels
 * have their values summed.
 *
 * Header fields: `time_nanos` is the earliest, `duration_nanos` the sum,
 * `period` the largest (as Go's `profile.Merge` does), the period type and
 * default sample type come from the first profile, and comments are kept
 * once each.
 *
 * @module
 */
import { create } from "@bufbuild/protobuf";
import {
  type Function as PprofFunction,
  type Label,
  type Location,
  type Mapping,
  type Profile,
  ProfileSchema,
  type Sample,
} from "./profile_pb.ts";

interface MergedSample {
  locationId: bigint[];
  label: Label[];
  value: bigint[];
}

/**
 * Merges profiles one at a time, so a thousand bundles never have to be in
 * memory together.
 *
 * @example
 * ```ts ignore
 * import { ProfileMerger } from "./merge.ts";
 * const merger = new ProfileMerger();
 * for (const p of profiles) merger.add(p);
 * const merged = merger.finish();
 * ```
 */
export class ProfileMerger {
  #strings: string[] = [""];
  #stringIds = new Map<string, bigint>([["", 0n]]);
  #functions: PprofFunction[] = [];
  #functionIds = new Map<string, bigint>();
  #mappings: Mapping[] = [];
  #mappingIds = new Map<string, bigint>();
  #locations: Location[] = [];
  #locationIds = new Map<string, bigint>();
  #samples = new Map<string, MergedSample>();
  #sampleTypes: string[] | undefined;
  #firstPeriodType = "";
  #first: Profile | undefined;
  #timeNanos = 0n;
  #durationNanos = 0n;
  #period = 0n;
  #comments = new Set<string>();
  #count = 0;

  /** How many profiles were added. */
  get count(): number {
    return this.#count;
  }

  /**
   * Adds a profile.
   *
   * @param profile A decoded profile; not modified.
   * @param label Names the profile in errors (e.g. the bundle's key).
   * @throws {TypeError} If its sample types or period type differ from the
   *   first profile's, or a sample has the wrong number of values.
   * @throws {RangeError} If it references a string, function, mapping or
   *   location that does not exist.
   */
  add(profile: Profile, label = `profile ${this.#count + 1}`): void {
    const str = (i: bigint): string => {
      const s = profile.stringTable[Number(i)];
      if (s === undefined) throw new RangeError(`Cannot merge ${label}: string index ${i} is out of range`);
      return s;
    };
    const types = profile.sampleType.map((t) => `${str(t.type)}/${str(t.unit)}`);
    const periodType = profile.periodType === undefined ? "" : `${str(profile.periodType.type)}/${str(profile.periodType.unit)}`;
    if (this.#first === undefined) {
      this.#first = profile;
      this.#sampleTypes = types;
      this.#firstPeriodType = periodType;
    } else {
      if (types.join(",") !== this.#sampleTypes!.join(",")) {
        throw new TypeError(
          `Cannot merge ${label}: its sample types [${types.join(", ")}] differ from the first profile's [${this.#sampleTypes!.join(", ")}]` +
            " (merge profiles of one kind, e.g. only CPU or only heap, from one runtime)",
        );
      }
      if (periodType !== this.#firstPeriodType && periodType !== "" && this.#firstPeriodType !== "") {
        throw new TypeError(`Cannot merge ${label}: its period type ${periodType} differs from the first profile's ${this.#firstPeriodType}`);
      }
    }

    const mappingMap = new Map<bigint, bigint>();
    for (const m of profile.mapping) {
      const fields = { filename: this.#intern(str(m.filename)), buildId: this.#intern(str(m.buildId)) };
      const key = [m.memoryStart, m.memoryLimit, m.fileOffset, fields.filename, fields.buildId, m.hasFunctions, m.hasFilenames, m.hasLineNumbers, m.hasInlineFrames].join("|");
      let id = this.#mappingIds.get(key);
      if (id === undefined) {
        id = BigInt(this.#mappings.length + 1);
        this.#mappingIds.set(key, id);
        this.#mappings.push({ ...m, id, ...fields });
      }
      mappingMap.set(m.id, id);
    }

    const functionMap = new Map<bigint, bigint>();
    for (const f of profile.function) {
      const name = this.#intern(str(f.name));
      const systemName = this.#intern(str(f.systemName));
      const filename = this.#intern(str(f.filename));
      const key = [name, systemName, filename, f.startLine].join("|");
      let id = this.#functionIds.get(key);
      if (id === undefined) {
        id = BigInt(this.#functions.length + 1);
        this.#functionIds.set(key, id);
        this.#functions.push({ ...f, id, name, systemName, filename });
      }
      functionMap.set(f.id, id);
    }

    const locationMap = new Map<bigint, bigint>();
    for (const l of profile.location) {
      const mappingId = l.mappingId === 0n ? 0n : mappingMap.get(l.mappingId);
      if (mappingId === undefined) throw new RangeError(`Cannot merge ${label}: location ${l.id} references missing mapping ${l.mappingId}`);
      const line = l.line.map((ln) => {
        const functionId = functionMap.get(ln.functionId);
        if (functionId === undefined) throw new RangeError(`Cannot merge ${label}: location ${l.id} references missing function ${ln.functionId}`);
        return { ...ln, functionId };
      });
      const key = [mappingId, l.address, l.isFolded ? 1 : 0, ...line.map((ln) => `${ln.functionId}:${ln.line}:${ln.column}`)].join("|");
      let id = this.#locationIds.get(key);
      if (id === undefined) {
        id = BigInt(this.#locations.length + 1);
        this.#locationIds.set(key, id);
        this.#locations.push({ ...l, id, mappingId, line });
      }
      locationMap.set(l.id, id);
    }

    const width = types.length;
    for (const s of profile.sample) this.#addSample(s, width, locationMap, str, label);

    if (profile.timeNanos !== 0n && (this.#timeNanos === 0n || profile.timeNanos < this.#timeNanos)) this.#timeNanos = profile.timeNanos;
    this.#durationNanos += profile.durationNanos;
    if (profile.period > this.#period) this.#period = profile.period;
    for (const c of profile.comment) this.#comments.add(str(c));
    this.#count++;
  }

  #addSample(s: Sample, width: number, locationMap: Map<bigint, bigint>, str: (i: bigint) => string, label: string): void {
    if (s.value.length !== width) {
      throw new TypeError(`Cannot merge ${label}: a sample has ${s.value.length} values for ${width} sample types`);
    }
    const locationId = s.locationId.map((id) => {
      const mapped = locationMap.get(id);
      if (mapped === undefined) throw new RangeError(`Cannot merge ${label}: a sample references missing location ${id}`);
      return mapped;
    });
    const labels = s.label.map((l) => ({ ...l, key: this.#intern(str(l.key)), str: this.#intern(str(l.str)), numUnit: this.#intern(str(l.numUnit)) }));
    const labelKey = labels.map((l) => `${l.key}=${l.str}/${l.num}/${l.numUnit}`).sort().join(",");
    const key = `${locationId.join(",")}#${labelKey}`;
    const existing = this.#samples.get(key);
    if (existing === undefined) {
      this.#samples.set(key, { locationId, label: labels as Label[], value: [...s.value] });
    } else {
      for (let i = 0; i < width; i++) existing.value[i]! += s.value[i]!;
    }
  }

  #intern(s: string): bigint {
    let id = this.#stringIds.get(s);
    if (id === undefined) {
      id = BigInt(this.#strings.length);
      this.#strings.push(s);
      this.#stringIds.set(s, id);
    }
    return id;
  }

  /**
   * Builds the merged profile.
   *
   * @returns The merged profile.
   * @throws {RangeError} If no profile was added.
   */
  finish(): Profile {
    const first = this.#first;
    if (first === undefined) throw new RangeError("Cannot merge profiles: none were given");
    const firstStr = (i: bigint) => first.stringTable[Number(i)] ?? "";
    const valueType = (t: { type: bigint; unit: bigint }) => ({ type: this.#intern(firstStr(t.type)), unit: this.#intern(firstStr(t.unit)) });
    const sampleType = first.sampleType.map(valueType);
    const periodType = first.periodType === undefined ? undefined : valueType(first.periodType);
    const defaultSampleType = first.defaultSampleType === 0n ? 0n : this.#intern(firstStr(first.defaultSampleType));
    const dropFrames = first.dropFrames === 0n ? 0n : this.#intern(firstStr(first.dropFrames));
    const keepFrames = first.keepFrames === 0n ? 0n : this.#intern(firstStr(first.keepFrames));
    const comment = [...this.#comments].map((c) => this.#intern(c));
    return create(ProfileSchema, {
      sampleType,
      sample: [...this.#samples.values()],
      mapping: this.#mappings,
      location: this.#locations,
      function: this.#functions,
      stringTable: this.#strings,
      dropFrames,
      keepFrames,
      timeNanos: this.#timeNanos,
      durationNanos: this.#durationNanos,
      periodType,
      period: this.#period,
      comment,
      defaultSampleType,
    });
  }
}

/**
 * Merges profiles into one (see the module documentation for the rules).
 *
 * @param profiles Profiles with the same sample types.
 * @returns The merged profile.
 * @throws {TypeError} If sample types or period types differ.
 * @throws {RangeError} If `profiles` is empty or a profile is inconsistent.
 * @example
 * ```ts
 * import { create } from "@bufbuild/protobuf";
 * import { ProfileSchema } from "./profile_pb.ts";
 * import { mergeProfiles } from "./merge.ts";
 * const p = create(ProfileSchema, { stringTable: ["", "samples", "count"], sampleType: [{ type: 1n, unit: 2n }], durationNanos: 5n });
 * console.log(mergeProfiles([p, p]).durationNanos); // 10n
 * ```
 */
export function mergeProfiles(profiles: Iterable<Profile>): Profile {
  const merger = new ProfileMerger();
  for (const p of profiles) merger.add(p);
  return merger.finish();
}

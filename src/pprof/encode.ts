/**
 * Protobuf wire encoding of pprof profiles (uncompressed; gzip the result
 * with `gzip()` from `../gzip.ts` before storing it, as pprof requires).
 *
 * @module
 */

import { fromBinary, toBinary } from "@bufbuild/protobuf";
import { type Profile, ProfileSchema } from "./profile_pb.ts";

/**
 * Serializes a pprof profile to protobuf bytes.
 *
 * @param profile the profile message.
 * @returns the protobuf encoding, not compressed.
 *
 * @example
 * ```ts
 * import { create } from "@bufbuild/protobuf";
 * import { ProfileSchema } from "./profile_pb.ts";
 * import { encodeProfile } from "./encode.ts";
 * const bytes = encodeProfile(create(ProfileSchema, { stringTable: [""], period: 10n }));
 * console.assert(bytes.length > 0);
 * ```
 */
export function encodeProfile(profile: Profile): Uint8Array {
  return toBinary(ProfileSchema, profile);
}

/**
 * Parses protobuf bytes (not gzipped) into a pprof profile.
 *
 * @param bytes uncompressed protobuf bytes.
 * @returns the profile message.
 * @throws {Error} if the bytes are not a valid protobuf encoding.
 *
 * @example
 * ```ts
 * import { create } from "@bufbuild/protobuf";
 * import { ProfileSchema } from "./profile_pb.ts";
 * import { decodeProfile, encodeProfile } from "./encode.ts";
 * const p = decodeProfile(encodeProfile(create(ProfileSchema, { period: 10n })));
 * console.assert(p.period === 10n);
 * ```
 */
export function decodeProfile(bytes: Uint8Array): Profile {
  return fromBinary(ProfileSchema, bytes);
}

/**
 * The multipart operations a spooled upload needs from storage. S3 implements them with its
 * multipart API; anything else that can take numbered parts and stitch them can too.
 */
export interface PartStore {
  /** Starts an upload; the id goes into the journal before any part is sent. */
  create(key: string, contentType: string): Promise<string>;
  /** Stores one part; returns its ETag. Sending the same part number again replaces it. */
  put(key: string, uploadId: string, partNumber: number, body: Buffer): Promise<string>;
  complete(key: string, uploadId: string, parts: ReadonlyArray<{ partNumber: number; etag: string }>): Promise<void>;
  /** Removes the upload and its parts. An upload that is already gone is not an error. */
  abort(key: string, uploadId: string): Promise<void>;
  /** Size of the completed object, to check nothing went missing. */
  size(key: string): Promise<number | undefined>;
  /** `s3://bucket/key` or similar, for results and logs. */
  uriFor(key: string): string;
}

/** S3's limits: at most 10,000 parts, each at least 5 MiB except the last. */
export const MAX_PARTS = 10_000;
export const MIN_PART_BYTES = 5 * 1024 * 1024;
const MIB = 1024 * 1024;

/**
 * The part size that fits the longest recording the job allows in S3's 10,000 parts, with room
 * to spare: bitrates overshoot their target and parts are cut at fragment ends (a bit over the
 * size). 10 h of 720p at 2.5 Mbit/s + 128 kbit/s audio is about 11.8 GB: 5 MiB parts (the S3
 * minimum, and the least a crash can strand unuploaded) hold 50 GiB, so the minimum wins until
 * about 9 Mbit/s.
 */
export function partSizeFor(maxDurationSec: number, bitsPerSecond: number, headroom = 1.5): number {
  return partSizeForBytes((maxDurationSec * bitsPerSecond) / 8, headroom);
}

/** The same from the expected size in bytes; 100 parts are kept spare for the short last ones. */
export function partSizeForBytes(expectedMaxBytes: number, headroom = 1.5): number {
  const needed = Math.ceil((expectedMaxBytes * headroom) / (MAX_PARTS - 100) / MIB) * MIB;
  return Math.max(MIN_PART_BYTES, needed);
}

/**
 * Just enough ISO-BMFF (MP4) to cut a fragmented MP4 stream safely: top-level boxes, where a
 * prefix of the stream is a playable file, and the media time each fragment starts at.
 *
 * ffmpeg's fragmented output (empty_moov) is `ftyp moov (moof mdat)*`. Any prefix that ends
 * after an `mdat` (or after `moov`) plays: the `moov` describes the tracks and every `moof` its
 * own samples. A prefix ending inside a box, or after a `moof` whose `mdat` is missing, does not.
 */
export interface Box {
  type: string;
  /** The whole box, header included. */
  bytes: Buffer;
}

/** Boxes after which the stream may be cut: everything but a fragment header waiting for its data. */
export function isCutPoint(type: string): boolean {
  return type !== 'moof' && type !== 'ftyp';
}

/** Splits a byte stream into whole top-level boxes, however the bytes arrive. */
export class BoxSplitter {
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  /** Size of the box being collected, once its header is in. */
  private expected: number | undefined;

  /** Feeds bytes; returns the boxes completed by them (in order). */
  push(chunk: Buffer): Box[] {
    this.pending.push(chunk);
    this.pendingBytes += chunk.length;
    const out: Box[] = [];
    for (;;) {
      this.expected ??= this.headerSize();
      if (this.expected === undefined || this.pendingBytes < this.expected) break;
      // Concatenate once per box, not once per chunk: an mdat arrives in many chunks.
      const all = this.pending.length === 1 ? this.pending[0]! : Buffer.concat(this.pending);
      out.push({ type: all.toString('latin1', 4, 8), bytes: all.subarray(0, this.expected) });
      const rest = all.subarray(this.expected);
      this.pending = rest.length > 0 ? [rest] : [];
      this.pendingBytes = rest.length;
      this.expected = undefined;
    }
    return out;
  }

  /** Bytes of an incomplete box still held (lost if the stream ends here). */
  get buffered(): number {
    return this.pendingBytes;
  }

  private headerSize(): number | undefined {
    if (this.pendingBytes < 8) return undefined;
    const head = this.peek(16);
    const size32 = head.readUInt32BE(0);
    if (size32 === 1) return head.length < 16 ? undefined : checkSize(Number(head.readBigUInt64BE(8)), 16);
    // size 0 ("to the end of the file") cannot be cut anywhere: refused rather than buffered forever.
    return checkSize(size32, 8);
  }

  private peek(n: number): Buffer {
    const first = this.pending[0]!;
    return first.length >= n ? first : Buffer.concat(this.pending).subarray(0, n);
  }
}

function checkSize(size: number, headerBytes: number): number {
  if (size < headerBytes || !Number.isSafeInteger(size)) throw new Error(`not a fragmented MP4 stream (box size ${size})`);
  return size;
}

/** Top-level boxes of a complete buffer, and the length of its longest playable prefix. */
export function playablePrefix(data: Buffer): { length: number; boxes: number } {
  let offset = 0;
  let cut = 0;
  let boxes = 0;
  while (offset + 8 <= data.length) {
    let size = data.readUInt32BE(offset);
    if (size === 1 && offset + 16 <= data.length) size = Number(data.readBigUInt64BE(offset + 8));
    if (size < 8 || offset + size > data.length) break;
    const type = data.toString('latin1', offset + 4, offset + 8);
    offset += size;
    boxes += 1;
    if (isCutPoint(type)) cut = offset;
  }
  return { length: cut, boxes };
}

/** Child boxes of a container box's payload. */
function* children(payload: Buffer): Generator<{ type: string; body: Buffer }> {
  let offset = 0;
  while (offset + 8 <= payload.length) {
    const size = payload.readUInt32BE(offset);
    if (size < 8 || offset + size > payload.length) return;
    yield { type: payload.toString('latin1', offset + 4, offset + 8), body: payload.subarray(offset + 8, offset + size) };
    offset += size;
  }
}

function child(payload: Buffer, type: string): Buffer | undefined {
  for (const c of children(payload)) if (c.type === type) return c.body;
  return undefined;
}

/** Timescale of every track in a `moov` box (track id → ticks per second). */
export function trackTimescales(moov: Buffer): Map<number, number> {
  const scales = new Map<number, number>();
  for (const trak of children(moov.subarray(8))) {
    if (trak.type !== 'trak') continue;
    const tkhd = child(trak.body, 'tkhd');
    const mdhd = child(child(trak.body, 'mdia') ?? Buffer.alloc(0), 'mdhd');
    if (!tkhd || !mdhd) continue;
    const trackId = tkhd.readUInt32BE(tkhd[0] === 1 ? 20 : 12);
    const timescale = mdhd.readUInt32BE(mdhd[0] === 1 ? 20 : 12);
    if (timescale > 0) scales.set(trackId, timescale);
  }
  return scales;
}

/**
 * Media time (s) a `moof` fragment covers, over all its tracks: the earliest start (tfdt) and the
 * latest end (tfdt + the sample durations of its trun, or the tfhd default per sample).
 */
export function fragmentSpan(moof: Buffer, timescales: Map<number, number>): { startSec: number; endSec: number } | undefined {
  let span: { startSec: number; endSec: number } | undefined;
  for (const traf of children(moof.subarray(8))) {
    if (traf.type !== 'traf') continue;
    const tfhd = child(traf.body, 'tfhd');
    const tfdt = child(traf.body, 'tfdt');
    const scale = tfhd && timescales.get(tfhd.readUInt32BE(4));
    if (!tfhd || !tfdt || !scale) continue;
    const start = tfdt[0] === 1 ? Number(tfdt.readBigUInt64BE(4)) : tfdt.readUInt32BE(4);
    const ticks = sampleTicks(traf.body, defaultDuration(tfhd));
    const startSec = start / scale;
    const endSec = (start + ticks) / scale;
    span = span ? { startSec: Math.min(span.startSec, startSec), endSec: Math.max(span.endSec, endSec) } : { startSec, endSec };
  }
  return span;
}

/** tfhd's default-sample-duration, if present (flag 0x08, after the optional fields before it). */
function defaultDuration(tfhd: Buffer): number {
  const flags = tfhd.readUInt32BE(0) & 0xffffff;
  if (!(flags & 0x08)) return 0;
  const at = 8 + (flags & 0x01 ? 8 : 0) + (flags & 0x02 ? 4 : 0);
  return tfhd.readUInt32BE(at);
}

/** Sum of the sample durations in a traf's trun boxes. */
function sampleTicks(traf: Buffer, fallback: number): number {
  let ticks = 0;
  for (const c of children(traf)) {
    if (c.type !== 'trun') continue;
    const flags = c.body.readUInt32BE(0) & 0xffffff;
    const count = c.body.readUInt32BE(4);
    if (!(flags & 0x100)) {
      ticks += count * fallback;
      continue;
    }
    const stride = 4 * [0x100, 0x200, 0x400, 0x800].filter((f) => flags & f).length;
    let at = 8 + (flags & 0x01 ? 4 : 0) + (flags & 0x04 ? 4 : 0);
    for (let n = 0; n < count && at + 4 <= c.body.length; n++, at += stride) ticks += c.body.readUInt32BE(at);
  }
  return ticks;
}

/**
 * A PNG's structure checked before it is decoded or budgeted: the signature, the IHDR chunk, and every chunk inside
 * the file, so an empty, truncated or corrupt file is reported as such (pngjs would say "There are some read requests
 * waitng on finished stream", and an IHDR with absurd dimensions would be budgeted as hundreds of GiB).
 */
import { DataError } from '../errors.js';

const SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
/** Bytes from the file's start to the end of the IHDR chunk: signature 8, length 4, type 4, data 13, CRC 4. */
export const PNG_HEADER_BYTES = 33;
/** Deflate's best ratio (a run of one byte, 258 bytes per 2-bit code): no IDAT expands to more than this per byte. */
const MAX_DEFLATE_RATIO = 1032;
/** Channels per colour type (PNG spec 11.2.2); a type not listed is invalid. */
const CHANNELS: Record<number, number> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };

let crcTable: Uint32Array | undefined;

/** The CRC-32 of PNG chunks (ISO 3309, as zlib's). */
function crc32(bytes: Uint8Array): number {
  crcTable ??= Uint32Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  let c = 0xffffffff;
  for (const b of bytes) c = crcTable[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

const chunkType = (bytes: Uint8Array, at: number) => String.fromCharCode(...bytes.subarray(at, at + 4)).replace(/[^\x20-\x7e]/g, '?');

/**
 * A PNG's size from its first {@link PNG_HEADER_BYTES} bytes and the file's size: a DataError naming the file when it
 * is empty, not a PNG, truncated within its header, or its IHDR is corrupt (bad checksum, a zero or out-of-range
 * size, an invalid colour type or bit depth, or more pixels than the file's bytes could hold at deflate's best ratio).
 *
 * @example
 * const { width, height } = checkPngHeader('cats/1.png', head, fileSize);
 */
export function checkPngHeader(file: string, head: Uint8Array, fileSize: number): { width: number; height: number } {
  if (fileSize === 0) throw new DataError(file, 'not a PNG: the file is empty (0 bytes)');
  if (SIGNATURE.some((b, i) => i < head.length && head[i] !== b)) throw new DataError(file, 'not a PNG: the file does not start with the PNG signature');
  if (head.length < PNG_HEADER_BYTES) throw new DataError(file, `truncated PNG: ${fileSize} bytes, fewer than the ${PNG_HEADER_BYTES} of the signature and header`);
  const view = new DataView(head.buffer, head.byteOffset, head.byteLength);
  const corrupt = (what: string) => new DataError(file, `corrupt PNG header: ${what}`);
  if (chunkType(head, 12) !== 'IHDR' || view.getUint32(8) !== 13) throw corrupt(`the first chunk is '${chunkType(head, 12)}' of ${view.getUint32(8)} bytes; expected IHDR of 13`);
  if (crc32(head.subarray(12, 29)) !== view.getUint32(29)) throw corrupt('the IHDR checksum does not match its contents');
  const [width, height, depth, colorType] = [view.getUint32(16), view.getUint32(20), head[24], head[25]];
  if (width === 0 || height === 0 || width > 2 ** 31 - 1 || height > 2 ** 31 - 1) throw corrupt(`size ${width}x${height}; expected 1 to 2^31-1 pixels each way`);
  const channels = CHANNELS[colorType];
  if (channels === undefined || ![1, 2, 4, 8, 16].includes(depth)) throw corrupt(`colour type ${colorType} with bit depth ${depth} is not a PNG format`);
  // Every row is a filter byte and its packed pixels; the IDAT chunks hold them deflated, at best 1032:1.
  const rawBytes = height * (1 + Math.ceil((width * channels * depth) / 8));
  if (rawBytes > fileSize * MAX_DEFLATE_RATIO) {
    throw corrupt(`it says ${width}x${height} pixels, ${rawBytes} bytes of pixel data, more than a file of ${fileSize} bytes can hold (deflate compresses at most ${MAX_DEFLATE_RATIO}:1)`);
  }
  return { width, height };
}

/**
 * Checks a whole PNG file's chunks before decoding: header as {@link checkPngHeader}, then every chunk's length within
 * the file and an IEND chunk at the end; a DataError naming the file and where it ends otherwise.
 *
 * @example
 * checkPngFile('cats/1.png', readFileSync('cats/1.png'));
 */
export function checkPngFile(file: string, bytes: Uint8Array): void {
  checkPngHeader(file, bytes.subarray(0, PNG_HEADER_BYTES), bytes.length);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let at = 8; ; ) {
    if (at + 8 > bytes.length) throw new DataError(file, `truncated PNG: the file ends after ${bytes.length} bytes without an IEND chunk`);
    const type = chunkType(bytes, at + 4);
    const end = at + 12 + view.getUint32(at);
    if (end > bytes.length) throw new DataError(file, `truncated PNG: its ${type} chunk at byte ${at} needs ${end} bytes, the file has ${bytes.length}`);
    if (type === 'IEND') return;
    at = end;
  }
}

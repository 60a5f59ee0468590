import { randomBytes } from "node:crypto";
import { crc32, deflateSync } from "node:zlib";

/** The PNG signature (PNG specification, 3rd edition, section 5.2 "PNG signature"). */
const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** One chunk: length, type, data, CRC-32 of type and data (PNG specification, section 5.3 "Chunk layout"). */
function chunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, "latin1"), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body) >>> 0);
  return Buffer.concat([length, body, crc]);
}

/**
 * A valid, unique 16x16 RGB PNG (about 900 bytes): random pixels, so that no two runs upload the same file
 * (Mastodon would otherwise be free to recognise it), and a tEXt "Comment" naming it a storage check.
 * `seed` (16 bytes) makes the image reproducible in tests.
 */
export function storageCheckPng(seed: Buffer = randomBytes(16), size = 16): Buffer {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header[8] = 8; // bit depth
  header[9] = 2; // colour type: truecolour (RGB)
  // compression, filter and interlace methods 0 (the only ones defined)
  const rows: Buffer[] = [];
  for (let y = 0; y < size; y++) {
    const row = Buffer.alloc(1 + size * 3); // filter type 0 (None), then RGB triples
    for (let x = 0; x < size * 3; x++) row[1 + x] = seed[(y * size * 3 + x) % seed.length]! ^ ((x * 7 + y * 13) & 0xff);
    rows.push(row);
  }
  const comment = Buffer.from(`Comment\0mastodon-media storage check ${seed.toString("hex")}`, "latin1");
  return Buffer.concat([
    SIGNATURE,
    chunk("IHDR", header),
    chunk("tEXt", comment),
    chunk("IDAT", deflateSync(Buffer.concat(rows))),
    chunk("IEND", Buffer.alloc(0)),
  ]);
}

/** True when the bytes start with the PNG signature. */
export function isPng(bytes: Buffer): boolean {
  return bytes.length > SIGNATURE.length && bytes.subarray(0, SIGNATURE.length).equals(SIGNATURE);
}

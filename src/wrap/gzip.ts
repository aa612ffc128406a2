// Wrap stage helper: gzip for Ignition's `contents.compression: gzip`, with the
// same bytes on every machine and every Node.js version (README "Size limit and
// compression"). Pure; no I/O.
//
// Compressing: a pinned pure-JavaScript deflate (fflate, exact version in
// package.json), never node:zlib, whose bundled zlib may change its output
// between Node.js releases and churn every committed MachineConfig. The gzip
// wrapper (RFC 1952) is written here, so its bytes do not depend on the library:
// no file name, no extra fields, mtime 0, XFL 0 and OS 255 ("unknown"), which is
// what Go's compress/gzip writes at its default level (Butane writes gzip file
// contents with the same header bytes, XFL aside).
//
// Decompressing (MachineConfigs read back from a stream, by `diff`): node:zlib,
// whose inflate output is fixed by the format, with a bound on the output size.
// Both libraries are loaded on first use only: the function's usual path
// (small repositories, nothing compressed) never pays for them. node:zlib's
// CRC-32, where this Node.js has one, is also used when compressing: a CRC is
// a fixed function of the bytes.

import type * as Fflate from 'fflate/browser'
import type * as Zlib from 'node:zlib'

// The bundle's banner defines `require` (createRequire); esbuild turns a
// require() of a bundled package into a lazy, synchronous initializer (as in
// src/io/yaml-lib.ts). `fflate/browser` is fflate without its worker_threads
// glue, which the synchronous calls used here do not need.
declare const require: (id: string) => unknown

let fflate: typeof Fflate | undefined
let zlib: typeof Zlib | undefined

/**
 * Deflate level: 6, zlib's default. Level 9 saved 2% on our largest bench input
 * for the same time, but its longer match chains make the worst case (a
 * repository crafted for it) many times slower.
 */
export const DEFLATE_LEVEL = 6

/** ID1 ID2 CM=deflate FLG=0 MTIME=0 XFL=0 OS=255. */
export const GZIP_HEADER: readonly number[] = [0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xff]

let CRC_TABLES: Uint32Array[] | undefined

/** The slicing-by-8 tables of the reflected CRC-32 polynomial (0xedb88320). */
function crcTables(): Uint32Array[] {
  if (CRC_TABLES !== undefined) return CRC_TABLES
  const t = Array.from({ length: 8 }, () => new Uint32Array(256))
  for (let n = 0; n < 256; n++) {
    let c = n
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1
    t[0]![n] = c >>> 0
  }
  for (let n = 0; n < 256; n++) {
    for (let k = 1; k < 8; k++) t[k]![n] = (t[k - 1]![n]! >>> 8) ^ t[0]![t[k - 1]![n]! & 0xff]!
  }
  CRC_TABLES = t
  return t
}

/** CRC-32 (ISO 3309, as gzip uses it), eight bytes a step: 10,000 policies make about 20 MB of node files. */
export function crc32(data: Uint8Array): number {
  const [t0, t1, t2, t3, t4, t5, t6, t7] = crcTables() as [Uint32Array, Uint32Array, Uint32Array, Uint32Array, Uint32Array, Uint32Array, Uint32Array, Uint32Array]
  let crc = 0xffffffff
  let i = 0
  const end8 = data.length - (data.length % 8)
  for (; i < end8; i += 8) {
    const a = (crc ^ (data[i]! | (data[i + 1]! << 8) | (data[i + 2]! << 16) | (data[i + 3]! << 24))) >>> 0
    crc =
      t7[a & 0xff]! ^ t6[(a >>> 8) & 0xff]! ^ t5[(a >>> 16) & 0xff]! ^ t4[a >>> 24]! ^
      t3[data[i + 4]!]! ^ t2[data[i + 5]!]! ^ t1[data[i + 6]!]! ^ t0[data[i + 7]!]!
  }
  for (; i < data.length; i++) crc = t0[(crc ^ data[i]!) & 0xff]! ^ (crc >>> 8)
  return (crc ^ 0xffffffff) >>> 0
}

let fastCrc32: ((data: Uint8Array) => number) | undefined

/**
 * CRC-32 as fast as this Node.js has it: node:zlib's `crc32` (Node.js 20.15 and
 * later) where it exists, else ours. A CRC is a fixed function of the bytes, so
 * which one runs changes nothing in the output (a test compares them).
 */
export function gzipCrc32(data: Uint8Array): number {
  if (fastCrc32 === undefined) {
    zlib ??= require('node:zlib') as typeof Zlib
    const native = (zlib as { crc32?: (data: Uint8Array) => number }).crc32
    fastCrc32 = typeof native === 'function' ? (d) => native(d) >>> 0 : crc32
  }
  return fastCrc32(data)
}

/** The gzip member of `data`: our fixed header, fflate's raw deflate stream, CRC-32 and length. */
export function gzip(data: Uint8Array): Buffer {
  fflate ??= require('fflate/browser') as typeof Fflate
  const deflated = fflate.deflateSync(data, { level: DEFLATE_LEVEL })
  const out = Buffer.allocUnsafe(GZIP_HEADER.length + deflated.length + 8)
  out.set(GZIP_HEADER, 0)
  out.set(deflated, GZIP_HEADER.length)
  out.writeUInt32LE(gzipCrc32(data), GZIP_HEADER.length + deflated.length)
  out.writeUInt32LE(data.length % 2 ** 32, GZIP_HEADER.length + deflated.length + 4)
  return out
}

/**
 * Decompresses gzip data (one or more members, as Go's gzip reader in MCO's
 * `DecodeIgnitionFileContents` reads them), refusing output over `maxBytes`:
 * deflate expands up to about 1,000 times, so a small MachineConfig from an
 * untrusted repository could otherwise ask for gigabytes.
 */
export function gunzip(data: Uint8Array, maxBytes: number): { readonly value: Buffer } | { readonly error: string } {
  zlib ??= require('node:zlib') as typeof Zlib
  try {
    return { value: zlib.gunzipSync(data, { maxOutputLength: maxBytes }) }
  } catch (e) {
    const code = (e as { code?: unknown }).code
    if (code === 'ERR_BUFFER_TOO_LARGE') return { error: `decompresses to more than ${maxBytes} bytes` }
    return { error: `not valid gzip data (${e instanceof Error ? e.message : String(e)})` }
  }
}

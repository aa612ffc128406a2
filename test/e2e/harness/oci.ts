// E2E harness: tiny OCI images built by hand (one gzip layer holding one file),
// as bytes, ready to push to a registry or to write as an OCI image layout.
// Pure apart from writeOciLayout().

import { createHash } from 'node:crypto'
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'

export const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json'
export const OCI_CONFIG = 'application/vnd.oci.image.config.v1+json'
export const OCI_LAYER_GZIP = 'application/vnd.oci.image.layer.v1.tar+gzip'

export interface Blob {
  readonly digest: string
  readonly bytes: Buffer
}

export interface Image {
  /** Config and layer blobs, in push order. */
  readonly blobs: readonly Blob[]
  readonly manifest: Buffer
  /** sha256:<hex> of the manifest bytes. */
  readonly digest: string
}

export function sha256(bytes: Buffer | string): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`
}

export function blob(bytes: Buffer | string): Blob {
  const b = typeof bytes === 'string' ? Buffer.from(bytes, 'utf8') : bytes
  return { digest: sha256(b), bytes: b }
}

function octal(value: number, width: number): string {
  return `${value.toString(8).padStart(width - 1, '0')}\0`
}

/**
 * A ustar archive of regular files (mode 0644, uid/gid 0, mtime 0), entries in
 * the order given. Names must fit the 100-byte name field.
 */
export function tar(files: readonly { name: string; contents: Buffer | string }[]): Buffer {
  const parts: Buffer[] = []
  for (const file of files) {
    const data = typeof file.contents === 'string' ? Buffer.from(file.contents, 'utf8') : file.contents
    const name = Buffer.from(file.name, 'utf8')
    if (name.length > 100) throw new Error(`tar: name too long: ${file.name}`)
    const header = Buffer.alloc(512)
    name.copy(header, 0)
    header.write(octal(0o644, 8), 100, 'ascii')
    header.write(octal(0, 8), 108, 'ascii')
    header.write(octal(0, 8), 116, 'ascii')
    header.write(octal(data.length, 12), 124, 'ascii')
    header.write(octal(0, 12), 136, 'ascii')
    header.write('        ', 148, 'ascii') // checksum field counts as spaces
    header.write('0', 156, 'ascii') // regular file
    header.write('ustar\x0000', 257, 'ascii')
    let sum = 0
    for (const byte of header) sum += byte
    header.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'ascii')
    parts.push(header, data, Buffer.alloc((512 - (data.length % 512)) % 512))
  }
  parts.push(Buffer.alloc(1024))
  return Buffer.concat(parts)
}

/** A one-layer image whose only file, /e2e.txt, holds `text` (distinct text, distinct digest). */
export function buildImage(text: string): Image {
  const layerTar = tar([{ name: 'e2e.txt', contents: `${text}\n` }])
  const layer = blob(gzipSync(layerTar, { level: 9 }))
  const config = blob(
    JSON.stringify({
      architecture: 'amd64',
      os: 'linux',
      config: { Cmd: ['/e2e.txt'] },
      rootfs: { type: 'layers', diff_ids: [sha256(layerTar)] },
    }),
  )
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: OCI_MANIFEST,
      config: { mediaType: OCI_CONFIG, digest: config.digest, size: config.bytes.length },
      layers: [{ mediaType: OCI_LAYER_GZIP, digest: layer.digest, size: layer.bytes.length }],
    }),
  )
  return { blobs: [config, layer], manifest, digest: sha256(manifest) }
}

/** Writes `image` as an OCI image layout at `dir`, tagged `tag` (for `oci:<dir>:<tag>`). */
export function writeOciLayout(dir: string, image: Image, tag: string): void {
  mkdirSync(join(dir, 'blobs', 'sha256'), { recursive: true })
  for (const b of [...image.blobs, { digest: image.digest, bytes: image.manifest }]) {
    writeFileSync(join(dir, 'blobs', 'sha256', b.digest.slice('sha256:'.length)), b.bytes)
  }
  writeFileSync(join(dir, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }))
  writeFileSync(
    join(dir, 'index.json'),
    JSON.stringify({
      schemaVersion: 2,
      manifests: [
        {
          mediaType: OCI_MANIFEST,
          digest: image.digest,
          size: image.manifest.length,
          annotations: { 'org.opencontainers.image.ref.name': tag },
        },
      ],
    }),
  )
}

// E2E harness: a local CNCF distribution registry (Debian's docker-registry)
// on 127.0.0.1 and a free port, plus the few registry API calls the suite
// needs to push images and sigstore attachments by hand.

import { createServer } from 'node:net'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { ChildProcess } from 'node:child_process'
import { startBackground, stop } from './proc.ts'
import { OCI_MANIFEST, type Blob, type Image } from './oci.ts'

export interface Registry {
  /** 127.0.0.1:<port> */
  readonly host: string
  readonly pid: number
  readonly log: () => string
  readonly stop: () => Promise<void>
}

/** A port that was free a moment ago on 127.0.0.1 (the registry binds it next). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      const port = typeof address === 'object' && address !== null ? address.port : 0
      server.close(() => (port > 0 ? resolve(port) : reject(new Error('no free port'))))
    })
  })
}

async function up(host: string): Promise<boolean> {
  try {
    const response = await fetch(`http://${host}/v2/`, { signal: AbortSignal.timeout(1_000) })
    return response.status === 200
  } catch {
    return false
  }
}

/**
 * Starts the registry with storage in `storageDir` (which the registry's user
 * must be able to write), listening on 127.0.0.1 only. Retries with another
 * port if the chosen one was taken in the meantime.
 */
export async function startRegistry(options: {
  binary: string
  asUser: readonly string[]
  storageDir: string
  configDir: string
}): Promise<Registry> {
  let lastLog = ''
  for (let attempt = 1; attempt <= 3; attempt++) {
    const port = await freePort()
    const host = `127.0.0.1:${port}`
    const config = join(options.configDir, `registry-${port}.yml`)
    writeFileSync(
      config,
      [
        'version: 0.1',
        'log:',
        '  level: warn',
        '  accesslog:',
        '    disabled: true',
        'storage:',
        '  filesystem:',
        `    rootdirectory: ${options.storageDir}`,
        'http:',
        `  addr: ${host}`,
        '  secret: imagepolicy-mc-e2e-local-only',
        '',
      ].join('\n'),
    )
    let log = ''
    const [command, ...prefix] = [...options.asUser, options.binary]
    // setpriv execs the registry, so the child's PID is the registry's own PID.
    const child: ChildProcess = startBackground(command as string, [...prefix, 'serve', config], {
      log: (chunk) => (log += chunk.toString('utf8')),
    })
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
    let ready = false
    let gone = false
    void exited.then(() => (gone = true))
    for (let i = 0; i < 100 && !ready && !gone; i++) {
      ready = await up(host)
      if (!ready) await new Promise((r) => setTimeout(r, 100))
    }
    if (ready && child.pid !== undefined) {
      return { host, pid: child.pid, log: () => log, stop: () => stop(child) }
    }
    await stop(child)
    lastLog = log
  }
  throw new Error(`the registry did not start:\n${lastLog}`)
}

/** Reads the (small) body so the connection is reused, and throws on an HTTP error. */
async function check(response: Response, what: string): Promise<void> {
  const body = await response.text()
  if (!response.ok) throw new Error(`${what}: HTTP ${response.status} ${response.statusText} ${body}`)
}

/** Monolithic blob upload: POST an upload session, then PUT the bytes with ?digest=. */
export async function pushBlob(host: string, repo: string, b: Blob): Promise<void> {
  const head = await fetch(`http://${host}/v2/${repo}/blobs/${b.digest}`, { method: 'HEAD' })
  if (head.ok) return
  const start = await fetch(`http://${host}/v2/${repo}/blobs/uploads/`, { method: 'POST' })
  await check(start, `start upload to ${repo}`)
  const location = start.headers.get('location')
  if (location === null) throw new Error(`start upload to ${repo}: no Location header`)
  const url = new URL(location, `http://${host}`)
  url.searchParams.set('digest', b.digest)
  const put = await fetch(url, { method: 'PUT', headers: { 'content-type': 'application/octet-stream' }, body: b.bytes })
  await check(put, `upload ${b.digest} to ${repo}`)
}

export async function putManifest(host: string, repo: string, reference: string, manifest: Buffer, mediaType = OCI_MANIFEST): Promise<void> {
  const response = await fetch(`http://${host}/v2/${repo}/manifests/${reference}`, {
    method: 'PUT',
    headers: { 'content-type': mediaType },
    body: manifest,
  })
  await check(response, `put manifest ${repo}:${reference}`)
}

/** Pushes an image's blobs and its manifest under each tag. */
export async function pushImage(host: string, repo: string, image: Image, tags: readonly string[]): Promise<void> {
  for (const b of image.blobs) await pushBlob(host, repo, b)
  for (const tag of tags) await putManifest(host, repo, tag, image.manifest)
}

/** The digest the registry reports for repo:reference (Docker-Content-Digest). */
export async function manifestDigest(host: string, repo: string, reference: string): Promise<string> {
  const response = await fetch(`http://${host}/v2/${repo}/manifests/${reference}`, {
    method: 'HEAD',
    headers: { accept: OCI_MANIFEST },
  })
  await check(response, `head manifest ${repo}:${reference}`)
  const digest = response.headers.get('docker-content-digest')
  if (digest === null) throw new Error(`head manifest ${repo}:${reference}: no Docker-Content-Digest`)
  return digest
}

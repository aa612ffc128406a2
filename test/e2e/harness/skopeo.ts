// E2E harness: skopeo as the containers/image consumer. It runs unprivileged
// (as root, skopeo would write its blob-info cache to /var/lib/containers),
// with HOME, XDG_* and its temp dir inside the suite's scratch directory, and
// every configuration file given explicitly, so nothing on the machine is read
// or written.

import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { run, type RunResult } from './proc.ts'

export interface SkopeoOptions {
  readonly binary: string
  readonly asUser: readonly string[]
  /** Scratch directory the skopeo user can write. */
  readonly home: string
  /** registries.conf to use instead of the machine's (the suite's is empty). */
  readonly registriesConf: string
  /** HTTP proxy that resolves the test host names (see proxy.ts). */
  readonly proxyUrl: string
}

export interface PullResult {
  readonly accepted: boolean
  /** skopeo's fatal message, quotes unescaped; '' when accepted. */
  readonly message: string
  readonly raw: RunResult
}

/** A logrus quoted `msg` value (Go %q quoting) → its text. */
function unquote(quoted: string): string {
  try {
    return JSON.parse(quoted) as string
  } catch {
    return quoted.slice(1, -1).replace(/\\(.)/g, '$1')
  }
}

/** logrus `level=fatal msg="…"` → the message text. */
export function fatalMessage(stderr: string): string {
  const lines = stderr.trim().split('\n')
  const last = [...lines].reverse().find((l) => l.includes('level=fatal')) ?? lines[lines.length - 1] ?? ''
  const m = /level=fatal msg=("(?:[^"\\]|\\.)*")/.exec(last)
  if (m?.[1] === undefined) return last
  return unquote(m[1])
}

/** The messages of the logrus `level=debug` lines (skopeo --debug), unquoted, in order. */
export function debugMessages(stderr: string): string[] {
  const out: string[] = []
  for (const line of stderr.split('\n')) {
    const m = /level=debug msg=("(?:[^"\\]|\\.)*"|\S*)/.exec(line)
    if (m?.[1] !== undefined) out.push(m[1].startsWith('"') ? unquote(m[1]) : m[1])
  }
  return out
}

/**
 * containers/image's policy lookup (signature/policy_eval.go,
 * requirementsForImageRef), from skopeo --debug: for each evaluation, the
 * `transports.docker` key it used (` Using transport "docker" [specific ]policy
 * section "<key>"`), or null for ` Using default policy section`.
 */
export function policySections(stderr: string): (string | null)[] {
  const out: (string | null)[] = []
  for (const msg of debugMessages(stderr)) {
    const m = /^ ?Using transport "docker" (?:specific )?policy section "(.*)"$/.exec(msg)
    if (m?.[1] !== undefined) out.push(m[1])
    else if (/^ ?Using default policy section$/.test(msg)) out.push(null)
    else if (/^ ?Using transport /.test(msg)) throw new Error(`unexpected policy-section debug line: ${msg}`)
  }
  return out
}

/**
 * registries.d's sigstore-attachments lookup (docker/registries_d.go,
 * useSigstoreAttachments), from skopeo --debug: every key it found on the
 * way, in order (` Sigstore attachments: using "docker" namespace <key>`, or
 * `default-docker` for ` Sigstore attachments: using "default-docker"
 * configuration`). A key without use-sigstore-attachments is logged too and
 * does not stop the search, so the deciding key is the last one of a lookup.
 */
export function sigstoreAttachmentKeys(stderr: string): string[] {
  const out: string[] = []
  for (const msg of debugMessages(stderr)) {
    const m = /^ ?Sigstore attachments: using "docker" namespace (.*)$/.exec(msg)
    if (m?.[1] !== undefined) out.push(m[1])
    else if (/^ ?Sigstore attachments: using "default-docker" configuration$/.test(msg)) out.push('default-docker')
  }
  return out
}

export class Skopeo {
  private pulls = 0
  private readonly env: NodeJS.ProcessEnv
  private readonly containersConf: string
  private readonly options: SkopeoOptions

  constructor(options: SkopeoOptions) {
    this.options = options
    for (const d of ['tmp', 'out', 'run', '.config', '.local/share', '.cache']) mkdirSync(join(options.home, d), { recursive: true, mode: 0o700 })
    this.containersConf = join(options.home, 'containers.conf')
    writeFileSync(this.containersConf, '')
    this.env = {
      PATH: '/usr/local/bin:/usr/bin:/bin',
      LANG: 'C.UTF-8',
      HOME: options.home,
      XDG_RUNTIME_DIR: join(options.home, 'run'),
      XDG_CONFIG_HOME: join(options.home, '.config'),
      XDG_DATA_HOME: join(options.home, '.local/share'),
      XDG_CACHE_HOME: join(options.home, '.cache'),
      TMPDIR: join(options.home, 'tmp'),
      CONTAINERS_CONF: this.containersConf,
      HTTP_PROXY: options.proxyUrl,
      HTTPS_PROXY: options.proxyUrl,
      http_proxy: options.proxyUrl,
      https_proxy: options.proxyUrl,
    }
  }

  /** Runs `skopeo --registries-conf … --tmpdir … <args>`. */
  run(args: readonly string[]): Promise<RunResult> {
    const [command, ...prefix] = [...this.options.asUser, this.options.binary]
    return run(command as string, [...prefix, '--registries-conf', this.options.registriesConf, '--tmpdir', join(this.options.home, 'tmp'), ...args], {
      env: this.env,
      timeoutMs: 60_000,
    })
  }

  async runOk(args: readonly string[]): Promise<RunResult> {
    const r = await this.run(args)
    if (r.code !== 0) throw new Error(`skopeo ${args.join(' ')} exited ${r.code}: ${fatalMessage(r.stderr)}`)
    return r
  }

  /**
   * `skopeo copy docker://<reference> dir:…` under the given policy and
   * registries.d: the pull a node would do, with policy enforcement. With
   * `debug`, stderr carries containers/image's debug log (see policySections()).
   */
  async pull(reference: string, policy: string, registriesD: string, options: { debug?: boolean } = {}): Promise<PullResult> {
    const out = join(this.options.home, 'out', String(++this.pulls))
    const raw = await this.run([...(options.debug === true ? ['--debug'] : []), '--policy', policy, '--registries.d', registriesD, 'copy', '--quiet', '--retry-times', '0',
      '--src-tls-verify=false', `docker://${reference}`, `dir:${out}`])
    return { accepted: raw.code === 0, message: raw.code === 0 ? '' : fatalMessage(raw.stderr), raw }
  }
}

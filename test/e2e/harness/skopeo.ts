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

/** logrus `level=fatal msg="…"` → the message text. */
export function fatalMessage(stderr: string): string {
  const lines = stderr.trim().split('\n')
  const last = [...lines].reverse().find((l) => l.includes('level=fatal')) ?? lines[lines.length - 1] ?? ''
  const m = /level=fatal msg=("(?:[^"\\]|\\.)*")/.exec(last)
  if (m?.[1] === undefined) return last
  try {
    return JSON.parse(m[1]) as string
  } catch {
    return m[1].slice(1, -1).replace(/\\(.)/g, '$1')
  }
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
   * registries.d: the pull a node would do, with policy enforcement.
   */
  async pull(reference: string, policy: string, registriesD: string): Promise<PullResult> {
    const out = join(this.options.home, 'out', String(++this.pulls))
    const raw = await this.run(['--policy', policy, '--registries.d', registriesD, 'copy', '--quiet', '--retry-times', '0',
      '--src-tls-verify=false', `docker://${reference}`, `dir:${out}`])
    return { accepted: raw.code === 0, message: raw.code === 0 ? '' : fatalMessage(raw.stderr), raw }
  }
}

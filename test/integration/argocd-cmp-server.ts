// A stand-in for Argo CD's argocd-cmp-server, run INSIDE the sidecar image by
// images.test.ts: there is no argocd binary on these machines, so this emulates
// the server's side of the contract, as cmd/argocd-cmp-server and
// cmpserver/plugin/plugin.go do it (shared/docs/krm-and-argocd.md §3):
//
//   * it is the container's entrypoint, /var/run/argocd/argocd-cmp-server (in a
//     pod the repo-server's copyutil init container puts it there, in the
//     var-files volume);
//   * it reads the plugin config from /home/argocd/cmp-server/config/plugin.yaml
//     (kind, metadata.name and a non-empty generate.command are required) and
//     listens on /home/argocd/cmp-server/plugins/<name>[-<version>].sock (the
//     plugins volume the repo-server dials);
//   * for a request it unpacks the repository into a fresh directory under
//     $TMPDIR/_cmp_server/ (the sidecar's own /tmp) with files at 0644 and
//     directories at 0755 (preserveFileMode false), and runs discover's
//     find.command, then generate, each with exec(command[0], command[1:] +
//     args): no shell, in the application's directory (<workdir>/<source path>),
//     with the sidecar's env plus the build variables, ARGOCD_ENV_* and PARAM_*.
//
// Not emulated: the gRPC transport (the request comes as JSON on stdin, the
// repository as a read-only directory standing in for the tar stream), the
// timeouts and the repo-server's caching. Prints one JSON object: the socket
// path, the user, and each command's exit code, stdout and stderr.
//
// Bundled for the image's Node.js by images.test.ts (esbuild, CommonJS).

import { spawnSync } from 'node:child_process'
import { chmodSync, copyFileSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parse } from 'yaml'
import { commandEnv, type Application, type Command, type PluginYaml } from './argocd-env.ts'

const CONFIG = '/home/argocd/cmp-server/config/plugin.yaml'
const SOCKETS = process.env['ARGOCD_PLUGINSOCKFILEPATH'] ?? '/home/argocd/cmp-server/plugins'

interface Request {
  readonly application: Application
  /** The repository as the repo-server would stream it. */
  readonly repo: string
}

function readConfig(): PluginYaml {
  const config = parse(readFileSync(CONFIG, 'utf8')) as PluginYaml
  if (config.kind !== 'ConfigManagementPlugin') throw new Error(`invalid plugin configuration file. kind should be ConfigManagementPlugin, found ${config.kind}`)
  if (config.metadata?.name === undefined || config.metadata.name === '') throw new Error('invalid plugin configuration file. metadata.name should be non-empty.')
  if ((config.spec?.generate?.command ?? []).length === 0) throw new Error('invalid plugin configuration file. spec.generate command should be non-empty')
  return config
}

/** Unpacks like util/io/files.Untar without preserveFileMode: no links, files 0644, directories 0755. */
function unpack(from: string, to: string): void {
  mkdirSync(to, { recursive: true, mode: 0o755 })
  for (const entry of readdirSync(from)) {
    const src = join(from, entry)
    const dst = join(to, entry)
    const st = lstatSync(src)
    if (st.isDirectory()) unpack(src, dst)
    else if (st.isFile()) {
      copyFileSync(src, dst)
      chmodSync(dst, 0o644)
    }
  }
}

function run(c: Command, cwd: string, env: Record<string, string>) {
  const [file, ...rest] = c.command
  const r = spawnSync(file!, [...rest, ...(c.args ?? [])], { cwd, env, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 })
  return { code: r.status, stdout: r.stdout ?? '', stderr: r.error !== undefined ? String(r.error) : r.stderr }
}

async function main(): Promise<void> {
  const config = readConfig()
  const name = config.spec.version === undefined ? config.metadata.name : `${config.metadata.name}-${config.spec.version}`
  const socket = join(SOCKETS, `${name}.sock`)
  rmSync(socket, { force: true })
  const server = createServer()
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(socket, resolve))

  const request = JSON.parse(readFileSync(0, 'utf8')) as Request
  // os.MkdirTemp(<TMPDIR>/_cmp_server, ""): a fresh directory per request.
  const root = join(tmpdir(), '_cmp_server')
  mkdirSync(root, { recursive: true })
  const workdir = mkdtempSync(`${root}/`)
  unpack(request.repo, workdir)
  const appDir = join(workdir, request.application.spec.source.path)
  const env = commandEnv(process.env as Record<string, string>, request.application)
  const find = config.spec.discover?.find
  const discover = find?.command !== undefined ? run(find as Command, appDir, env) : undefined
  const generate = run(config.spec.generate, appDir, env)
  server.close()
  process.stdout.write(
    `${JSON.stringify({ socket, user: process.getuid?.(), workdir, appDir, discover, generate })}\n`,
  )
}

main().catch((e: unknown) => {
  process.stderr.write(`argocd-cmp-server (emulated): ${e instanceof Error ? e.message : String(e)}\n`)
  process.exit(1)
})

// Command `install-kustomize-plugin`: writes the legacy kustomize exec plugin
// for `imagepolicy-mc/v1alpha1 ImagePolicyRenderer`. Touches the filesystem and
// reads process state (allowed in src/commands only).

import { chmodSync, existsSync, mkdirSync, mkdtempSync, realpathSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import type { Streams } from '../cli/context.ts'
import { escapeControls } from '../issues.ts'
import { CONFIG_API_VERSION, CONFIG_KIND } from '../options.ts'

export const INSTALL_KUSTOMIZE_PLUGIN_USAGE = `imagepolicy-mc install-kustomize-plugin [--dir DIR]

Installs the kustomize exec plugin that serves transformer configs of
apiVersion: ${CONFIG_API_VERSION}, kind: ${CONFIG_KIND}, for
\`kubectl kustomize --enable-alpha-plugins\` and \`kustomize build --enable-alpha-plugins\`.

  --dir DIR   plugin home to install into. Default: the directory kustomize
              searches, i.e. the first that exists of $KUSTOMIZE_PLUGIN_HOME,
              $XDG_CONFIG_HOME/kustomize/plugin, ~/.config/kustomize/plugin and
              ~/kustomize/plugin; when none exists, the first of them that is set
              is created.

The plugin is a small shell script that runs this imagepolicy-mc (its launcher,
which starts from the startup snapshot, or else this Node.js and the bundle) by
absolute path: run the command again after moving either.`

/** The plugin's path below the plugin home: `<group>/<version>/<lower-case kind>/<Kind>` (kustomize's layout). */
export const PLUGIN_RELATIVE_PATH = join(...CONFIG_API_VERSION.split('/'), CONFIG_KIND.toLowerCase(), CONFIG_KIND)

export interface PluginHome {
  readonly dir: string
  /** Why this directory: which variable or default it came from. */
  readonly source: string
}

/**
 * The plugin home as kustomize's `konfig.DefaultAbsPluginHome` finds it: the
 * first candidate that exists; when none does, the first candidate that is set
 * (so that kustomize finds it next time). Pure: `exists` is injected.
 */
export function kustomizePluginHome(env: Readonly<Record<string, string | undefined>>, exists: (dir: string) => boolean): PluginHome {
  const home = env['HOME'] !== undefined && env['HOME'] !== '' ? env['HOME'] : '~'
  const set = (v: string | undefined): v is string => v !== undefined && v !== ''
  const candidates: PluginHome[] = [
    ...(set(env['KUSTOMIZE_PLUGIN_HOME']) ? [{ dir: env['KUSTOMIZE_PLUGIN_HOME'], source: '$KUSTOMIZE_PLUGIN_HOME' }] : []),
    ...(set(env['XDG_CONFIG_HOME']) ? [{ dir: join(env['XDG_CONFIG_HOME'], 'kustomize', 'plugin'), source: '$XDG_CONFIG_HOME' }] : []),
    { dir: join(home, '.config', 'kustomize', 'plugin'), source: 'the default of $XDG_CONFIG_HOME' },
    { dir: join(home, 'kustomize', 'plugin'), source: 'the home directory' },
  ]
  return candidates.find((c) => exists(c.dir)) ?? candidates[0]!
}

/** Single-quotes a word for /bin/sh. */
export function shellQuote(word: string): string {
  return `'${word.replaceAll("'", `'\\''`)}'`
}

/**
 * The plugin executable. kustomize runs it with the transformer config file as
 * the first argument (then any `argsOneLiner`/`argsFromFile` arguments) and a
 * plain resource stream on stdin; it reads a plain stream back from stdout.
 * `command` is the launcher (dist/imagepolicy-mc, which starts from the startup
 * snapshot) when the build made one, else this Node.js and the bundle.
 */
export function kustomizePluginScript(command: readonly string[]): string {
  return [
    '#!/bin/sh',
    `# kustomize exec plugin for ${CONFIG_API_VERSION} ${CONFIG_KIND}, written by \`imagepolicy-mc install-kustomize-plugin\`.`,
    '# kustomize passes the transformer config file first and the resources on stdin.',
    `exec ${command.map(shellQuote).join(' ')} --config "$@"`,
    '',
  ].join('\n')
}

/** What the plugin runs: the launcher beside the bundle when the build made the snapshot script for it (dist/imagepolicy-mc.cjs), else `node bundle`. */
export function pluginCommand(nodePath: string, bundlePath: string, exists: (path: string) => boolean): string[] {
  const launcher = join(dirname(bundlePath), 'imagepolicy-mc')
  return exists(launcher) && exists(join(dirname(bundlePath), 'imagepolicy-mc.cjs')) ? [launcher] : [nodePath, bundlePath]
}

export async function installKustomizePlugin(argv: readonly string[], streams: Streams): Promise<number> {
  let dir: string | undefined
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!
    if (arg === '-h' || arg === '--help') {
      streams.stdout.write(INSTALL_KUSTOMIZE_PLUGIN_USAGE + '\n')
      return 0
    } else if (arg === '--dir' && i + 1 < argv.length) {
      dir = argv[++i]!
    } else if (arg.startsWith('--dir=')) {
      dir = arg.slice('--dir='.length)
    } else {
      streams.stderr.write(`imagepolicy-mc install-kustomize-plugin: unexpected argument ${JSON.stringify(arg)}\n${INSTALL_KUSTOMIZE_PLUGIN_USAGE}\n`)
      return 2
    }
  }
  if (dir === '') {
    streams.stderr.write('imagepolicy-mc install-kustomize-plugin: --dir must not be empty\n')
    return 2
  }
  const home = dir !== undefined ? { dir, source: '--dir' } : kustomizePluginHome(process.env, existsSync)
  const bundle = process.argv[1]
  if (bundle === undefined) {
    streams.stderr.write('imagepolicy-mc install-kustomize-plugin: cannot tell where imagepolicy-mc is installed\n')
    return 1
  }
  const target = join(home.dir, PLUGIN_RELATIVE_PATH)
  try {
    mkdirSync(dirname(target), { recursive: true })
    // Write beside the target and rename, so a running kustomize never sees half a script.
    // The file is new ('wx') in a directory mkdtemp made (a name nobody can predict
    // or plant a link at), and the rename replaces a link at the target, never writes through it.
    const script = kustomizePluginScript(pluginCommand(process.execPath, realpathSync(bundle), existsSync))
    const temp = mkdtempSync(join(dirname(target), '.ImagePolicyRenderer-'))
    try {
      writeFileSync(join(temp, 'plugin'), script, { mode: 0o755, flag: 'wx' })
      chmodSync(join(temp, 'plugin'), 0o755)
      renameSync(join(temp, 'plugin'), target)
    } finally {
      rmSync(temp, { recursive: true, force: true })
    }
  } catch (e) {
    streams.stderr.write(`imagepolicy-mc install-kustomize-plugin: cannot write ${escapeControls(target)}: ${escapeControls((e as Error).message)}\n`)
    return 1
  }
  streams.stdout.write(`installed ${target}\n`)
  if (dir === undefined && home.source !== '$KUSTOMIZE_PLUGIN_HOME' && process.env['KUSTOMIZE_PLUGIN_HOME']) {
    streams.stderr.write(`note: $KUSTOMIZE_PLUGIN_HOME (${process.env['KUSTOMIZE_PLUGIN_HOME']}) does not exist, so kustomize uses ${home.dir} (${home.source})\n`)
  }
  return 0
}

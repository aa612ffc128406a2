// The subcommand table, loaded by src/cli/main.ts only when a subcommand is run.

import type { Command } from '../cli/context.ts'
import { build } from './build.ts'
import { checkCommand } from './check.ts'
import { diffCommand } from './diff.ts'
import { discover } from './discover.ts'
import { explainCommand } from './explain.ts'
import { impactCommand } from './impact.ts'
import { importCommand } from './import.ts'
import { installKustomizePlugin } from './install-kustomize-plugin.ts'
import { renderCommand } from './render.ts'

export const COMMANDS: Readonly<Record<string, Command>> = {
  build,
  discover,
  'install-kustomize-plugin': installKustomizePlugin,
  render: renderCommand,
  explain: explainCommand,
  diff: diffCommand,
  impact: impactCommand,
  check: checkCommand,
  import: importCommand,
}

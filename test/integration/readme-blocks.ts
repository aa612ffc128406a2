// Integration-test helper: the `console` blocks of an example's README, as
// commands and the output each must print. Pure; no I/O.

export interface ConsoleStep {
  /** The command after `$ `, run by bash from the example's directory. */
  readonly command: string
  /** Expected stdout and stderr together, one string with a final newline (or ''). */
  readonly output: string
}

/** Every ```console block, in order; a `$ ` line starts a command, the lines after it are its output. */
export function consoleSteps(markdown: string): ConsoleStep[] {
  const steps: { command: string; lines: string[] }[] = []
  for (const block of markdown.matchAll(/^```console\n([\s\S]*?)^```$/gm)) {
    for (const line of block[1]!.split('\n').slice(0, -1)) {
      if (line.startsWith('$ ')) steps.push({ command: line.slice(2), lines: [] })
      else if (steps.length === 0) throw new Error(`console block output before any command: ${JSON.stringify(line)}`)
      else steps.at(-1)!.lines.push(line)
    }
  }
  return steps.map((s) => ({ command: s.command, output: s.lines.map((l) => `${l}\n`).join('') }))
}

/**
 * What may differ between runs and READMEs: the home directory (shown as `~`),
 * kpt's timings and trailing blanks (kpt prints `Package "x": ` with one).
 */
export function normalizeOutput(text: string, home: string): string {
  return text
    .replaceAll(home, '~')
    .replace(/ in \d+(?:\.\d+)?(?:ns|µs|ms|s|m)\b/g, ' in <time>')
    .replace(/[ \t]+$/gm, '')
}

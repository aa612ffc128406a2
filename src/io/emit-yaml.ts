// Write stage helper: a small, fast block-YAML emitter for the objects we
// generate (MachineConfigs: maps, lists, strings, numbers, booleans). The `yaml`
// package's stringify is general but slow on tens of megabytes of data URLs;
// this writes the same kind of block YAML in one pass. Pure; no I/O.

// Plain scalars we can write without quotes: no indicator first, no `: ` or ` #`,
// no leading/trailing space, and nothing YAML 1.1 would read as another type.
// (Block context only: flow indicators such as `[` or `,` are fine after the first character.)
const SAFE_PLAIN = /^[A-Za-z0-9_./(][A-Za-z0-9_ ./:;=+,@()%~\[\]{}!&*?|>'"#`<$^\\-]*$/
const NON_STRING_11 =
  /^(?:[-+]?(?:[0-9][0-9_]*)?\.?[0-9_]*(?:[eE][-+]?[0-9]+)?|[-+]?0x[0-9a-fA-F_]+|[-+]?0b[01_]+|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)|y|Y|yes|Yes|YES|n|N|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF|null|Null|NULL|~|\d{4}-\d\d?-\d\d?.*)$/

export function yamlScalar(value: string | number | boolean | null): string {
  if (value === null) return 'null'
  if (typeof value !== 'string') return String(value)
  if (value !== '' && SAFE_PLAIN.test(value) && !value.endsWith(' ') && !value.includes(': ') && !value.includes(' #') && !NON_STRING_11.test(value)) {
    return value
  }
  // Single quotes read best where they are exact: no `'` to double, nothing to
  // escape; a word YAML would read as another type gets double quotes, as kubectl writes it.
  if (!NON_STRING_11.test(value) && value !== '' && !value.includes("'") && !/[\x00-\x1f\x7f\u0085\u2028\u2029\ufeff]/.test(value) && !/^\s|\s$/.test(value)) return `'${value}'`
  return JSON.stringify(value)
}

/**
 * A multi-line string as a literal block (`|-`, `|`, `|+` by its final line
 * breaks), so reviewers read it line by line; only when that is exact: no
 * carriage returns or other control characters, and a first line that does not
 * start with a space (which would need an indentation indicator).
 */
function literalBlock(value: string, indent: string): string | undefined {
  if (!value.includes('\n') || /[\x00-\x08\x0b-\x1f\x7f\u0085\u2028\u2029\ufeff]/.test(value) || /^[ \n]/.test(value)) return undefined
  const body = value.replace(/\n+$/, '')
  const breaks = value.length - body.length
  const chomp = breaks === 0 ? '-' : breaks === 1 ? '' : '+'
  const lines = (breaks > 1 ? value.slice(0, -1) : body).split('\n')
  return `|${chomp}\n${lines.map((l) => (l === '' ? '' : `${indent}${l}`)).join('\n')}\n`
}

type Value = string | number | boolean | null | readonly Value[] | { readonly [key: string]: Value }

function isMap(v: Value): v is { readonly [key: string]: Value } {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

/**
 * Block YAML for a plain value, two-space indent, lists not indented under their
 * key (`- item`, as kubectl writes), ending in a newline. Keys go through the same
 * quoting as values. Empty maps and lists are written `{}` and `[]`.
 */
export function emitYaml(value: Value): string {
  const out: string[] = []
  const emit = (v: Value, indent: string, inList: boolean): void => {
    if (Array.isArray(v)) {
      const list = v as readonly Value[]
      list.forEach((item, i) => {
        out.push(i === 0 && inList ? '-' : `${indent}-`)
        if ((isMap(item) && Object.keys(item).length > 0) || (Array.isArray(item) && item.length > 0)) {
          out.push(' ')
          emit(item, `${indent}  `, true)
        } else {
          out.push(' ', inline(item), '\n')
        }
      })
      return
    }
    if (isMap(v)) {
      let first = true
      for (const [key, item] of Object.entries(v)) {
        out.push(first && inList ? '' : indent, yamlScalar(key), ':')
        first = false
        if (isMap(item) && Object.keys(item).length > 0) {
          out.push('\n')
          emit(item, `${indent}  `, false)
        } else if (Array.isArray(item) && item.length > 0) {
          out.push('\n')
          emit(item, indent, false)
        } else {
          const block = typeof item === 'string' ? literalBlock(item, `${indent}  `) : undefined
          out.push(' ', block ?? `${inline(item)}\n`)
        }
      }
    }
  }
  const inline = (v: Value): string => (Array.isArray(v) ? '[]' : isMap(v) ? '{}' : yamlScalar(v as string | number | boolean | null))
  if (isMap(value) || Array.isArray(value)) emit(value, '', false)
  else out.push(inline(value), '\n')
  return out.join('')
}

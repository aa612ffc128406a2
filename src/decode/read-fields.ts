// Decode stage helper: typed reads from untyped YAML values, each wrong type an
// issue at its path (as Go's JSON decoding into MCO's types would fail). Pure.

import { issue, type Issue } from '../issues.ts'
import type { ResourceRef } from '../model.ts'
import { isObject } from '../is-object.ts'

export type Path = readonly (string | number)[]

/** Collects decode issues for one resource. */
export class FieldReader {
  readonly issues: Issue[] = []
  readonly resource: ResourceRef | undefined
  constructor(resource: ResourceRef | undefined) {
    this.resource = resource
  }

  private wrongType(path: Path, want: string, got: unknown): void {
    const kind = got === null ? 'null' : Array.isArray(got) ? 'array' : typeof got
    this.issues.push(
      issue('error', 'decode', `Invalid value: "${kind}": must be of type ${want}`, { resource: this.resource, path }),
    )
  }

  /** An optional object; null counts as absent (Go nil). */
  object(v: unknown, path: Path): Record<string, unknown> | undefined {
    if (v === undefined || v === null) return undefined
    if (isObject(v)) return v
    this.wrongType(path, 'object', v)
    return undefined
  }

  /** An optional string; null counts as absent. */
  string(v: unknown, path: Path): string | undefined {
    if (v === undefined || v === null) return undefined
    if (typeof v === 'string') return v
    this.wrongType(path, 'string', v)
    return undefined
  }

  /** An optional list of strings; null is absent (nil), `[]` stays an empty list. */
  strings(v: unknown, path: Path): string[] | undefined {
    if (v === undefined || v === null) return undefined
    if (!Array.isArray(v)) {
      this.wrongType(path, 'array', v)
      return undefined
    }
    const out: string[] = []
    v.forEach((item, i) => {
      if (typeof item === 'string') out.push(item)
      else this.wrongType([...path, i], 'string', item)
    })
    return out
  }

  /** An optional list of objects. */
  objects(v: unknown, path: Path): Record<string, unknown>[] | undefined {
    if (v === undefined || v === null) return undefined
    if (!Array.isArray(v)) {
      this.wrongType(path, 'array', v)
      return undefined
    }
    const out: Record<string, unknown>[] = []
    v.forEach((item, i) => {
      if (isObject(item)) out.push(item)
      else this.wrongType([...path, i], 'object', item)
    })
    return out
  }

  integer(v: unknown, path: Path): number | undefined {
    if (v === undefined || v === null) return undefined
    if (typeof v === 'number' && Number.isInteger(v)) return v
    if (typeof v === 'bigint') return Number(v)
    this.wrongType(path, 'integer', v)
    return undefined
  }
}

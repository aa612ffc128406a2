// Shared vocabulary (stage 0): the one test for "a YAML/JSON mapping" every
// stage makes on untyped values. Pure.

/** A mapping: an object that is neither null nor an array (a YAML map, a JSON object). */
export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

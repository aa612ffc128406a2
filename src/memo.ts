// Shared vocabulary: the get-or-compute memo the stages keep their caches with. Pure.

/** What getOrCompute needs of a cache: a Map or a WeakMap. */
export interface Cache<K, V> {
  get(key: K): V | undefined
  set(key: K, value: V): unknown
}

/**
 * `cache`'s value for `key`, computed by `compute(key)` (and kept) the first time.
 * `compute` takes the key so a named function needs no closure per call (some
 * caches are looked up once per scope of a 20,000-scope run).
 */
export function getOrCompute<K, V>(cache: Cache<K, V>, key: K, compute: (key: K) => V): V {
  let value = cache.get(key)
  if (value === undefined) {
    value = compute(key)
    cache.set(key, value)
  }
  return value
}

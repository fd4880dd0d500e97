/**
 * mulberry32: a tiny, well-mixed 32-bit PRNG. Seeded, so every "random" choice of the models (k-means++ seeds,
 * isolation-tree samples, features and split points) is reproducible from the seed alone.
 */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** An integer in [0, n). */
export function randomInt(next: () => number, n: number): number {
  return Math.min(n - 1, Math.floor(next() * n))
}

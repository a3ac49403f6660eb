// Randomness for Raft, injected so that simulations replay exactly from a seed.

/** Returns a float in [0, 1). */
export type RandomSource = () => number

/** A small, fast, seeded PRNG (mulberry32): good enough for timeouts and fault injection. */
export function seededRandom (seed: number): RandomSource {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6D2B79F5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** A uniformly drawn integer in [min, max]. */
export function randomBetween (random: RandomSource, min: number, max: number): number {
  return min + Math.floor(random() * (max - min + 1))
}

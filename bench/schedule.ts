// The order in which contenders run, round by round. Pure, unit-tested.
//
// Load from other processes on a shared machine drifts over seconds, so a
// comparison is fair only if each contender runs as often before as after
// the other. Even rounds run the contenders in the given order, odd rounds
// in reverse (A B C, C B A, A B C, …): over every two rounds each pair is
// measured once in each order, and each pair's trials are adjacent in time.

/** The contenders of `round` (0-based) in the order they run. */
export function roundOrder<T> (round: number, contenders: readonly T[]): T[] {
  if (!Number.isInteger(round) || round < 0) throw new RangeError(`round must be a non-negative integer, got ${round}`)
  return round % 2 === 0 ? [...contenders] : [...contenders].reverse()
}

export interface Trial<W, C> {
  workload: W
  round: number
  contender: C
}

/**
 * Every trial of a run: workloads one after another (each keeps its worker
 * processes for all its rounds), rounds inside a workload, contenders
 * alternating inside a round.
 */
export function trialPlan<W, C> (workloads: readonly W[], contenders: readonly C[], rounds: number): Array<Trial<W, C>> {
  if (!Number.isInteger(rounds) || rounds < 1) throw new RangeError(`rounds must be a positive integer, got ${rounds}`)
  const plan: Array<Trial<W, C>> = []
  for (const workload of workloads) {
    for (let round = 0; round < rounds; round++) {
      for (const contender of roundOrder(round, contenders)) plan.push({ workload, round, contender })
    }
  }
  return plan
}

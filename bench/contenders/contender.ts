// What every contender (our driver, the official driver, the raw Bolt floor)
// offers the worker: one function per operation of the workloads.

import type { OpKind } from '../workloads.js'

/**
 * 'raw' is the auto-commit floor (RUN + PULL, one round trip); 'raw-tx' the
 * managed-transaction floor (BEGIN + RUN + PULL, then COMMIT: two round trips),
 * what every managed workload (executeQuery, executeRead, executeWrite) must
 * send at the least, so "% of floor" compares like with like.
 */
export type ContenderId = 'ours' | 'official' | 'raw-tx' | 'raw'

/** The order of a round before alternation (see schedule.ts). */
export const CONTENDERS: readonly ContenderId[] = ['ours', 'official', 'raw-tx', 'raw']
/**
 * Who runs a workload of this kind: every contender for throughput (all of it
 * managed transactions); streaming is auto-commit in every client
 * (session.run), so its only floor is the auto-commit one.
 */
export function contendersFor (kind: 'throughput' | 'stream'): readonly ContenderId[] {
  return kind === 'stream' ? CONTENDERS.filter((c) => c !== 'raw-tx') : CONTENDERS
}

/** Floors: clients without a driver. */
export const FLOORS: readonly ContenderId[] = ['raw-tx', 'raw']
/** Contenders that are drivers (failover has no raw floor: a raw client does not fail over). */
export const DRIVERS: readonly ContenderId[] = ['ours', 'official']

export const CONTENDER_LABELS: Record<ContenderId, string> = {
  ours: 'neo4j-cluster-driver',
  official: 'neo4j-driver 6.3.0',
  'raw-tx': 'raw Bolt floor, managed tx',
  raw: 'raw Bolt floor, auto-commit'
}

export interface ContenderSetup {
  /** neo4j://host:port of the fixture's first member. */
  uri: string
  user: string
  password: string
  /** null: no database named, so the clients resolve the home database (what most applications do). */
  database: string | null
}

export interface Contender {
  /** One operation of a throughput workload; `worker` is the caller's index, `seq` a number unique within the trial. */
  op: (kind: OpKind, worker: number, seq: number) => Promise<void>
  /** One write (executeWrite MERGE); resolves with the address of the server that acknowledged it. */
  write: (worker: number, seq: number) => Promise<string>
  /** One query returning `rows` rows, consumed record by record and not kept; resolves with the count received. */
  stream: (rows: number) => Promise<number>
  close: () => Promise<void>
}

export class WrongAnswerError extends Error {
  constructor (what: string, expected: number, got: number) {
    super(`${what}: expected ${expected} row(s), got ${got}`)
    this.name = 'WrongAnswerError'
  }
}

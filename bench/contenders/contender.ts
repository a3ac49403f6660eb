// What every contender (our driver, the official driver, the raw Bolt floor)
// offers the worker: one function per operation of the workloads.

import type { OpKind } from '../workloads.js'

export type ContenderId = 'ours' | 'official' | 'raw'

/** The order of a round before alternation (see schedule.ts). */
export const CONTENDERS: readonly ContenderId[] = ['ours', 'official', 'raw']
/** Contenders that are drivers (failover has no raw floor: a raw client does not fail over). */
export const DRIVERS: readonly ContenderId[] = ['ours', 'official']

export const CONTENDER_LABELS: Record<ContenderId, string> = {
  ours: 'neo4j-cluster-driver',
  official: 'neo4j-driver 6.3.0',
  raw: 'raw Bolt floor'
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

// One workload, two drivers: the few calls the chaos workload makes, written
// once against our driver and once against the official neo4j-driver 6.3.0,
// with the same queries, the same settings where both have them, and the same
// way of counting attempts (each run of the transaction work, or of the
// executeQuery result transformer, is one attempt).

import official from 'neo4j-driver'
import ours, { CommitOutcomeUnknownError } from '../../lib/index.js'

export const USER = 'neo4j'
export const PASSWORD = 'password123'

export type DriverName = 'ours' | 'official'

/** Counts the attempts of one operation (work function invocations). */
export interface AttemptCounter { attempts: number }

/** What one read transaction saw. */
export interface ReadObservation {
  /** Nodes of this run visible to the reader. */
  total: number
  /** Nodes with the id the reader looked for (the latest acknowledged write it knew of). */
  mine: number
  /** The session's bookmarks after the read, for the reader's next one. */
  bookmarks: string[]
  /** 'host:port' that answered. */
  address: string
}

export type WriteStatement = 'create' | 'merge'

export interface DriverAdapter {
  readonly name: DriverName
  readonly label: string
  /** The driver settings this run used, for the report. */
  readonly settings: Record<string, unknown>
  /** executeWrite with CREATE, or MERGE marked idempotent (where the driver knows the flag); resolves to the new bookmarks. */
  write: (statement: WriteStatement, run: string, id: number, counter: AttemptCounter) => Promise<string[]>
  /** executeRead with the given bookmarks: the run's node count and whether `id` is visible, in one transaction. */
  read: (run: string, id: number, bookmarks: string[], counter: AttemptCounter) => Promise<ReadObservation>
  /** executeQuery one-liner write (the driver's default bookmark manager chains it). */
  queryWrite: (statement: WriteStatement, run: string, id: number, counter: AttemptCounter) => Promise<void>
  /** executeQuery one-liner read: how many nodes carry `id`. */
  queryRead: (run: string, id: number, counter: AttemptCounter) => Promise<number>
  /** Whether the driver said "this commit may or may not have happened". */
  isCommitOutcomeUnknown: (error: unknown) => boolean
  close: () => Promise<void>
}

export interface AdapterOptions {
  uri: string
  database: string
  /** maxTransactionRetryTime, both drivers; undefined: each driver's default. */
  budgetMs?: number
  /** connectionTimeout, both drivers (ours guards against silent members with its default unresponsiveProbeAfter); undefined: each driver's default. */
  connectionTimeoutMs?: number
  /** Extra config for our driver only (tests). */
  extra?: Record<string, unknown>
}

/** The settings both drivers get: only those the scenario sets (none: default configuration). */
function settingsOf (options: AdapterOptions): Record<string, number> {
  const config: Record<string, number> = {}
  if (options.budgetMs !== undefined) config.maxTransactionRetryTime = options.budgetMs
  if (options.connectionTimeoutMs !== undefined) config.connectionTimeout = options.connectionTimeoutMs
  return config
}

const CREATE = 'CREATE (:Chaos {run: $run, id: $id})'
const MERGE = 'MERGE (:Chaos {run: $run, id: $id})'
const COUNT_RUN = 'MATCH (n:Chaos {run: $run}) RETURN count(n) AS total'
const COUNT_ID = 'MATCH (n:Chaos {run: $run, id: $id}) RETURN count(n) AS n'

interface Numberish { toNumber: () => number }
const num = (value: unknown): number => typeof value === 'number' ? value : (value as Numberish).toNumber()

export function ourAdapter (options: AdapterOptions): DriverAdapter {
  // No receiveTimeout: the table measures the default path, where a silent
  // (black-holed) member is found by the unresponsive-member probe after
  // unresponsiveProbeAfter (default 500 ms) plus at most connectionTimeout —
  // what a user who sets nothing but these two gets. receiveTimeout stays an
  // opt-in hard cap (tests may still pass it through `extra`).
  const config = {
    ...settingsOf(options),
    ...options.extra
  }
  const d = ours.driver(options.uri, ours.auth.basic(USER, PASSWORD), { ...config })
  const database = options.database
  return {
    name: 'ours',
    label: 'neo4j-cluster-driver',
    settings: config,
    write: async (statement, run, id, counter) => {
      const session = d.session({ database })
      try {
        await session.executeWrite(async tx => {
          counter.attempts++
          await tx.run(statement === 'create' ? CREATE : MERGE, { run, id: ours.int(id) })
        }, { idempotent: statement === 'merge' })
        return session.lastBookmarks()
      } finally {
        await session.close()
      }
    },
    read: async (run, id, bookmarks, counter) => {
      const session = d.session({ database, defaultAccessMode: 'READ', bookmarks })
      try {
        const seen = await session.executeRead(async tx => {
          counter.attempts++
          const total = await tx.run(COUNT_RUN, { run })
          const mine = await tx.run(COUNT_ID, { run, id: ours.int(id) })
          return { total: num(total.records[0]?.get('total')), mine: num(mine.records[0]?.get('n')), address: mine.summary.server.address ?? '' }
        })
        return { ...seen, bookmarks: session.lastBookmarks() }
      } finally {
        await session.close()
      }
    },
    queryWrite: async (statement, run, id, counter) => {
      await d.executeQuery(statement === 'create' ? CREATE : MERGE, { run, id: ours.int(id) }, {
        database,
        transactionConfig: { idempotent: statement === 'merge' },
        resultTransformer: async result => { counter.attempts++; await result.summary() }
      })
    },
    queryRead: async (run, id, counter) => await d.executeQuery(COUNT_ID, { run, id: ours.int(id) }, {
      database,
      routing: 'READ',
      resultTransformer: async result => { counter.attempts++; return num((await result).records[0]?.get('n')) }
    }),
    isCommitOutcomeUnknown: (error) => error instanceof CommitOutcomeUnknownError ||
      (error as { code?: unknown } | null)?.code === ours.error.COMMIT_OUTCOME_UNKNOWN,
    close: async () => { await d.close() }
  }
}

export function officialAdapter (options: AdapterOptions): DriverAdapter {
  const config = settingsOf(options)
  // A copy: the official driver fills its defaults into the object it is given, and `settings` reports what we set.
  const d = official.driver(options.uri, official.auth.basic(USER, PASSWORD), { ...config })
  const database = options.database
  return {
    name: 'official',
    label: 'neo4j-driver 6.3.0',
    settings: config,
    write: async (statement, run, id, counter) => {
      const session = d.session({ database })
      try {
        // No idempotent flag in the official API: MERGE is what makes its retries harmless.
        await session.executeWrite(async tx => {
          counter.attempts++
          await tx.run(statement === 'create' ? CREATE : MERGE, { run, id: official.int(id) })
        })
        return session.lastBookmarks()
      } finally {
        await session.close()
      }
    },
    read: async (run, id, bookmarks, counter) => {
      const session = d.session({ database, defaultAccessMode: official.session.READ, bookmarks })
      try {
        const seen = await session.executeRead(async tx => {
          counter.attempts++
          const total = await tx.run(COUNT_RUN, { run })
          const mine = await tx.run(COUNT_ID, { run, id: official.int(id) })
          return { total: num(total.records[0]?.get('total')), mine: num(mine.records[0]?.get('n')), address: mine.summary.server.address ?? '' }
        })
        return { ...seen, bookmarks: session.lastBookmarks() }
      } finally {
        await session.close()
      }
    },
    queryWrite: async (statement, run, id, counter) => {
      await d.executeQuery(statement === 'create' ? CREATE : MERGE, { run, id: official.int(id) }, {
        database,
        resultTransformer: async result => { counter.attempts++; await result.summary() }
      })
    },
    queryRead: async (run, id, counter) => await d.executeQuery(COUNT_ID, { run, id: official.int(id) }, {
      database,
      routing: official.routing.READ,
      resultTransformer: async result => { counter.attempts++; return num((await result).records[0]?.get('n')) }
    }),
    // The official driver has no such classification: a failed commit is just an error.
    isCommitOutcomeUnknown: () => false,
    close: async () => { await d.close() }
  }
}

export const ADAPTERS: Record<DriverName, (options: AdapterOptions) => DriverAdapter> = {
  ours: ourAdapter,
  official: officialAdapter
}

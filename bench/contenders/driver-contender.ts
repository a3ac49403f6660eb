// Our driver and the official one behind the same Contender: their APIs are
// the same by design, so one adapter over the shape they share measures both
// with identical calls. Default driver settings on both sides.

import { MATCH_ROWS, QUERIES, mergeKey, type OpKind } from '../workloads.js'
import { WrongAnswerError, type Contender, type ContenderId, type ContenderSetup } from './contender.js'

/** The part of the neo4j-driver 6.x API the workloads use (both modules satisfy it). */
export interface Neo4jModule {
  driver: (url: string, authToken: any) => DriverLike
  auth: { basic: (user: string, password: string) => any }
  int: (value: number) => unknown
}

interface QueryResultLike {
  records: unknown[]
  summary: { server: { address?: string } }
}

interface TransactionLike {
  run: (query: string, parameters?: Record<string, unknown>) => PromiseLike<QueryResultLike>
}

interface SessionLike {
  executeRead: <T>(work: (tx: TransactionLike) => Promise<T>) => Promise<T>
  executeWrite: <T>(work: (tx: TransactionLike) => Promise<T>, config?: WriteConfig) => Promise<T>
  run: (query: string, parameters?: Record<string, unknown>) => AsyncIterable<unknown>
  close: () => Promise<void>
}

interface DriverLike {
  executeQuery: (query: string, parameters: Record<string, unknown>, config: { routing: 'READ', database?: string }) => Promise<{ records: unknown[] }>
  session: (config: { defaultAccessMode: 'READ' | 'WRITE', database?: string }) => SessionLike
  close: () => Promise<void>
}

/** timeout: a key both drivers' TransactionConfig share (so either module fits Neo4jModule). */
type WriteConfig = { timeout?: number, idempotent?: boolean, pipelineBegin?: boolean }

/**
 * `writeConfig` is the transaction config of every write (`pipelinedWriteConfig`
 * of the opt-in workload's; a driver without the option runs `writeConfig` there). Our driver gets
 * { idempotent: true }: the MERGE … SET is idempotent, and that flag is how
 * our API lets a commit whose outcome is unknown (the leader died before
 * answering COMMIT) be retried; without it such a write fails with
 * CommitOutcomeUnknown instead. The official driver retries those commits
 * unasked, so it needs no flag.
 */
export function driverContender (id: ContenderId, neo4j: Neo4jModule, setup: ContenderSetup, writeConfig?: WriteConfig, pipelinedWriteConfig: WriteConfig | undefined = writeConfig): Contender {
  const driver = neo4j.driver(setup.uri, neo4j.auth.basic(setup.user, setup.password))
  const database = setup.database ?? undefined
  const readConfig = database === undefined ? { routing: 'READ' as const } : { routing: 'READ' as const, database }
  const sessionConfig = (mode: 'READ' | 'WRITE'): { defaultAccessMode: 'READ' | 'WRITE', database?: string } =>
    database === undefined ? { defaultAccessMode: mode } : { defaultAccessMode: mode, database }

  const ops: Record<OpKind, (worker: number, seq: number) => Promise<void>> = {
    'read-return-1': async () => {
      const { records } = await driver.executeQuery(QUERIES.return1, {}, readConfig)
      if (records.length !== 1) throw new WrongAnswerError(QUERIES.return1, 1, records.length)
    },
    'read-match-10': async () => {
      const { records } = await driver.executeQuery(QUERIES.match10, {}, readConfig)
      if (records.length !== MATCH_ROWS) throw new WrongAnswerError(QUERIES.match10, MATCH_ROWS, records.length)
    },
    'write-merge': async (worker, seq) => { await write(worker, seq) },
    'write-merge-pipelined': async (worker, seq) => { await write(worker, seq, pipelinedWriteConfig) },
    'session-churn': async () => {
      const session = driver.session(sessionConfig('READ'))
      try {
        const result = await session.executeRead(async (tx) => await tx.run(QUERIES.return1))
        if (result.records.length !== 1) throw new WrongAnswerError(QUERIES.return1, 1, result.records.length)
      } finally {
        await session.close()
      }
    }
  }

  async function write (_worker: number, seq: number, config = writeConfig): Promise<string> {
    const session = driver.session(sessionConfig('WRITE'))
    try {
      const result = await session.executeWrite(async (tx) =>
        await tx.run(QUERIES.merge, { key: mergeKey(id, seq), v: neo4j.int(seq) }), config)
      return result.summary.server.address ?? ''
    } finally {
      await session.close()
    }
  }

  return {
    op: async (kind, worker, seq) => { await ops[kind](worker, seq) },
    write,
    stream: async (rows) => {
      const session = driver.session(sessionConfig('READ'))
      let received = 0
      try {
        for await (const record of session.run(QUERIES.stream, { rows: neo4j.int(rows) })) {
          if (record !== undefined) received++
        }
      } finally {
        await session.close()
      }
      return received
    },
    close: async () => { await driver.close() }
  }
}

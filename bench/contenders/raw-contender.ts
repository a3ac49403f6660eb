// The raw Bolt floor as a Contender: the same queries as auto-commit RUN +
// PULL, one round trip each, on one connection per worker. Session churn has
// no session to open, so its floor is the bare read.

import { RawBoltClient } from '../raw-bolt/client.js'
import { MATCH_ROWS, QUERIES, mergeKey, type OpKind } from '../workloads.js'
import { WrongAnswerError, type Contender, type ContenderSetup } from './contender.js'

export function rawContender (setup: ContenderSetup): Contender {
  const seed = new URL(setup.uri.replace(/^neo4j:/, 'http:')).host
  const client = new RawBoltClient(seed, { user: setup.user, password: setup.password }, setup.database)

  const readOne = async (worker: number, query: string, expected: number): Promise<void> => {
    const { records } = await client.run(worker, 'READ', query)
    if (records !== expected) throw new WrongAnswerError(query, expected, records)
  }
  const write = async (worker: number, seq: number): Promise<string> => {
    const connection = await client.connection(worker, 'WRITE')
    await client.run(worker, 'WRITE', QUERIES.merge, { key: mergeKey('raw', seq), v: BigInt(seq) })
    return connection.address
  }
  const ops: Record<OpKind, (worker: number, seq: number) => Promise<void>> = {
    'read-return-1': async (worker) => { await readOne(worker, QUERIES.return1, 1) },
    'read-match-10': async (worker) => { await readOne(worker, QUERIES.match10, MATCH_ROWS) },
    'write-merge': async (worker, seq) => { await write(worker, seq) },
    'session-churn': async (worker) => { await readOne(worker, QUERIES.return1, 1) }
  }

  return {
    op: async (kind, worker, seq) => { await ops[kind](worker, seq) },
    write,
    stream: async (rows) => (await client.run(0, 'READ', QUERIES.stream, { rows: BigInt(rows) })).records,
    close: async () => { client.close() }
  }
}

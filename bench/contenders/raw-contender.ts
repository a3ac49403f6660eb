// The raw Bolt floors as Contenders, on one connection per worker and role:
//
//   auto-commit ('raw')    RUN + PULL, one round trip per query
//   managed ('raw-tx')     what a managed transaction needs at the least on
//                          default settings: BEGIN + RUN + PULL (the fetch
//                          size) in one write, then COMMIT once the records
//                          are in: two round trips (executeQuery and
//                          transaction functions alike; COMMIT may only follow
//                          the query at once when everything is pulled at once,
//                          fetchSize -1)
//
// Session churn has no session to open, so its floor is the bare read (for
// the managed floor, a read transaction with COMMIT apart, as executeRead). Streaming is auto-commit in every
// client (session.run), so it is measured against the auto-commit floor only.

import { RawBoltClient, type Role } from '../raw-bolt/client.js'
import type { PackMap } from '../../cluster-fixture/bolt/packstream.js'
import type { QueryOutcome } from '../raw-bolt/connection.js'
import { MATCH_ROWS, QUERIES, mergeKey, type OpKind } from '../workloads.js'
import { WrongAnswerError, type Contender, type ContenderSetup } from './contender.js'

export type FloorStyle = 'auto-commit' | 'managed'

export function rawContender (setup: ContenderSetup, style: FloorStyle): Contender {
  const seed = new URL(setup.uri.replace(/^neo4j:/, 'http:')).host
  const client = new RawBoltClient(seed, { user: setup.user, password: setup.password }, setup.database)
  const id = style === 'managed' ? 'raw-tx' : 'raw'
  const query = async (worker: number, role: Role, text: string, parameters: PackMap = {}): Promise<QueryOutcome> =>
    style === 'managed'
      ? await client.transaction(worker, role, text, parameters)
      : await client.run(worker, role, text, parameters)

  const readOne = async (worker: number, text: string, expected: number): Promise<void> => {
    const { records } = await query(worker, 'READ', text, {})
    if (records !== expected) throw new WrongAnswerError(text, expected, records)
  }
  const write = async (worker: number, seq: number): Promise<string> => {
    const connection = await client.connection(worker, 'WRITE')
    await query(worker, 'WRITE', QUERIES.merge, { key: mergeKey(id, seq), v: BigInt(seq) })
    return connection.address
  }
  const ops: Record<OpKind, (worker: number, seq: number) => Promise<void>> = {
    'read-return-1': async (worker) => { await readOne(worker, QUERIES.return1, 1) },
    'read-match-10': async (worker) => { await readOne(worker, QUERIES.match10, MATCH_ROWS) },
    'write-merge': async (worker, seq) => { await write(worker, seq) },
    'write-merge-pipelined': async (worker, seq) => { await write(worker, seq) },
    'session-churn': async (worker) => { await readOne(worker, QUERIES.return1, 1) }
  }

  return {
    op: async (kind, worker, seq) => { await ops[kind](worker, seq) },
    write,
    stream: async (rows) => (await client.run(0, 'READ', QUERIES.stream, { rows: BigInt(rows) })).records,
    close: async () => { client.close() }
  }
}

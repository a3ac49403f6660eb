// Our rxSession side by side with the official neo4j-driver 6.3.0's on the
// same fixture cluster: the same reactive pipelines give the same keys,
// records, summaries, errors and flow control; and bookmarks from one
// driver's reactive session make the other's read its write.

import { expect } from 'chai'
import official from 'neo4j-driver'
import { firstValueFrom, lastValueFrom, map, toArray, type Observable } from 'rxjs'
import { startCluster, type Cluster } from '../../cluster-fixture/index.js'
import ours from '../../lib/index.js'

const USER = 'neo4j'
const PASSWORD = 'password123'

/** What both drivers' RxSession have in common, as this spec uses it. */
interface RxRecord { get: (key: string) => unknown, keys: unknown[] }
interface RxResultLike { keys: () => Observable<string[]>, records: () => Observable<RxRecord>, consume: () => Observable<{ counters: { updates: () => Record<string, number> }, query: { text: string } }>, pause: () => void, resume: () => Promise<void> }
interface RxTxLike { run: (query: string, parameters?: Record<string, unknown>) => RxResultLike, commit: () => Observable<unknown>, rollback: () => Observable<unknown> }
interface RxSessionLike {
  run: (query: string, parameters?: Record<string, unknown>) => RxResultLike
  beginTransaction: () => Observable<RxTxLike>
  executeWrite: <T>(work: (tx: { run: RxTxLike['run'] }) => Observable<T>) => Observable<T>
  executeRead: <T>(work: (tx: { run: RxTxLike['run'] }) => Observable<T>) => Observable<T>
  lastBookmarks: () => string[]
  close: () => Observable<unknown>
}
interface DriverLike { rxSession: (config?: Record<string, unknown>) => RxSessionLike, close: () => Promise<void> }

const done = async (observable: Observable<unknown>): Promise<void> => { await lastValueFrom(observable, { defaultValue: undefined }) }

describe('interop: rxSession side by side with the official driver on one fixture cluster', function () {
  this.timeout(60_000)
  let cluster: Cluster
  let drivers: Record<'ours' | 'official', DriverLike>

  before(async () => {
    cluster = await startCluster({ primaries: 3, secondaries: 2, basePort: 0, auth: { user: USER, password: PASSWORD } })
    drivers = {
      ours: ours.driver(cluster.uri, ours.auth.basic(USER, PASSWORD)) as unknown as DriverLike,
      official: official.driver(cluster.uri, official.auth.basic(USER, PASSWORD)) as unknown as DriverLike
    }
  })
  after(async () => {
    await Promise.allSettled(Object.values(drivers ?? {}).map(async d => await d.close()))
    await cluster?.close()
  })

  /** Runs `scenario` with each driver's rx session and returns both outcomes. */
  async function both<T> (scenario: (session: RxSessionLike, label: string) => Promise<T>, config: Record<string, unknown> = { database: 'neo4j' }): Promise<{ ours: T, official: T }> {
    const outcome: Partial<Record<'ours' | 'official', T>> = {}
    for (const label of ['ours', 'official'] as const) {
      const session = drivers[label].rxSession(config)
      try {
        outcome[label] = await scenario(session, label)
      } finally {
        await done(session.close())
      }
    }
    return outcome as { ours: T, official: T }
  }

  it('run: the same keys, records and summary counters', async () => {
    const outcome = await both(async session => {
      const result = session.run('UNWIND range(1, 300) AS x RETURN x, x * 2 AS double')
      const keys = await firstValueFrom(result.keys())
      const rows = await lastValueFrom(result.records().pipe(map(r => [r.get('x'), r.get('double')]), toArray()))
      const summary = await firstValueFrom(result.consume())
      return { keys, rows, text: summary.query.text, updates: summary.counters.updates() }
    }, { database: 'neo4j', defaultAccessMode: 'READ' })
    expect(outcome.ours).to.deep.equal(outcome.official)
    expect(outcome.ours.rows).to.have.length(300)
  })

  it('executeWrite and executeRead: the same emitted values; writes land once', async () => {
    const outcome = await both(async (session, label) => {
      const written = await lastValueFrom(session.executeWrite(tx =>
        tx.run('UNWIND [1, 2] AS i CREATE (n:RxSide {driver: $label, i: i}) RETURN n.i AS i', { label }).records().pipe(map(r => r.get('i')))
      ).pipe(toArray()))
      const count = await firstValueFrom(session.executeRead(tx =>
        tx.run('MATCH (n:RxSide {driver: $label}) RETURN count(n) AS n', { label }).records().pipe(map(r => r.get('n')))))
      return { written, count }
    })
    expect(outcome.ours).to.deep.equal(outcome.official)
    expect(String(outcome.ours.count)).to.equal('2')
  })

  it('explicit transactions: commit keeps the write, rollback drops it', async () => {
    const outcome = await both(async (session, label) => {
      const tx = await firstValueFrom(session.beginTransaction())
      await done(tx.run('CREATE (:RxSideTx {driver: $label, kept: true})', { label }).consume())
      await done(tx.commit())
      const dropped = await firstValueFrom(session.beginTransaction())
      await done(dropped.run('CREATE (:RxSideTx {driver: $label, kept: false})', { label }).consume())
      await done(dropped.rollback())
      return await lastValueFrom(session.run('MATCH (n:RxSideTx {driver: $label}) RETURN n.kept AS kept', { label }).records().pipe(map(r => r.get('kept')), toArray()))
    })
    expect(outcome.ours).to.deep.equal(outcome.official)
    expect(outcome.ours).to.deep.equal([true])
  })

  it('the same errors: a server failure, and a second records() subscription', async () => {
    const outcome = await both(async session => {
      const failing = await lastValueFrom(session.run('THIS IS NOT CYPHER').records()).then(() => undefined, (e: { code: string }) => e.code)
      const result = session.run('RETURN 1 AS n')
      await lastValueFrom(result.records())
      const second = await lastValueFrom(result.records()).then(() => undefined, (e: Error) => e.message)
      return { failing, second }
    })
    expect(outcome.ours).to.deep.equal(outcome.official)
    expect(outcome.ours.failing).to.equal('Neo.ClientError.Statement.SyntaxError')
  })

  it('pause() then resume(): the same records, in order', async () => {
    const outcome = await both(async session => {
      const result = session.run('UNWIND range(1, 1000) AS x RETURN x')
      const seen: unknown[] = []
      await new Promise<void>((resolve, reject) => {
        result.records().subscribe({
          next: record => {
            seen.push(record.get('x'))
            if (seen.length === 10) { result.pause(); setTimeout(() => { void result.resume() }, 50) }
          },
          error: reject,
          complete: resolve
        })
      })
      return seen
    }, { database: 'neo4j', defaultAccessMode: 'READ', fetchSize: 20 })
    expect(outcome.ours).to.deep.equal(outcome.official)
    expect(outcome.ours).to.have.length(1000)
  })

  it("bookmarks cross over: each driver's reactive read sees the other's reactive write, even on lagging secondaries", async () => {
    const secondaries = cluster.members().filter(m => m.mode === 'SECONDARY')
    for (const m of secondaries) cluster.setLag(m.name, 300)
    try {
      await crossOver()
    } finally {
      for (const m of secondaries) cluster.setLag(m.name, 0)
    }
  })

  async function crossOver (): Promise<void> {
    for (const [writer, reader] of [['ours', 'official'], ['official', 'ours']] as const) {
      const writeSession = drivers[writer].rxSession({ database: 'neo4j' })
      let bookmarks: string[]
      try {
        await done(writeSession.executeWrite(tx => tx.run('CREATE (:RxCross {by: $writer})', { writer }).consume()))
        bookmarks = writeSession.lastBookmarks()
      } finally {
        await done(writeSession.close())
      }
      const readSession = drivers[reader].rxSession({ database: 'neo4j', defaultAccessMode: 'READ', bookmarks })
      try {
        const seen = await firstValueFrom(readSession.executeRead(tx => tx.run('MATCH (n:RxCross {by: $writer}) RETURN count(n) AS n', { writer }).records().pipe(map(r => String(r.get('n'))))))
        expect(seen, `${reader} reading ${writer}'s write`).to.equal('1')
      } finally {
        await done(readSession.close())
      }
    }
  }
})

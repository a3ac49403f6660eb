// The reactive API (driver.rxSession) against a fixture cluster: RxResult's
// keys/records/consume and their rules, flow control (pause() stops the
// server stream, resume() finishes it), explicit transactions, and
// executeRead/executeWrite retried by the promise API's retry engine — with a
// leader stopped in the middle of a write loop.

import { expect } from 'chai'
import bolt from 'neo4j-driver-bolt-connection'
import diagnosticsChannel from 'node:diagnostics_channel'
import { defer, firstValueFrom, lastValueFrom, map, mergeMap, throwError, toArray } from 'rxjs'
import neo4j, { CommitOutcomeUnknownError, Neo4jError, type Driver, type Record as Neo4jRecord, type RetryEvent } from '../../lib/index.js'
import { needsFixture, roles, sleep, startTarget, waitFor, type Target } from './helpers.js'

describe('integration: reactive sessions (driver.rxSession)', function () {
  this.timeout(120_000)
  let target: Target
  let d: Driver

  before(async () => {
    target = await startTarget()
    d = target.driver({ maxTransactionRetryTime: 30_000 })
    await d.verifyConnectivity({ database: 'neo4j' })
  })
  after(async () => { await target?.close() })
  afterEach(() => { expect(d.poolStats().inUse, 'connections still in use').to.equal(0) })

  it('run: keys, records and summary, with the query run once however many subscribe', async () => {
    const session = d.rxSession({ database: 'neo4j' })
    const result = session.run('CREATE (n:RxOnce {id: $id}) RETURN n.id AS id, 1 AS one', { id: 'once' })
    expect(await firstValueFrom(result.keys())).to.deep.equal(['id', 'one'])
    const records = await lastValueFrom(result.records().pipe(toArray()))
    expect(records.map(r => r.get('id'))).to.deep.equal(['once'])
    const summary = await firstValueFrom(result.consume())
    expect(summary.counters.updates().nodesCreated).to.equal(1)
    expect(await firstValueFrom(result.keys())).to.deep.equal(['id', 'one'])
    await lastValueFrom(session.close(), { defaultValue: undefined })
    const { records: check } = await d.executeQuery('MATCH (n:RxOnce) RETURN count(n) AS n', {}, { database: 'neo4j' })
    expect(check[0]?.get('n').toNumber()).to.equal(1)
  })

  it('nothing runs until something subscribes', async () => {
    const session = d.rxSession({ database: 'neo4j' })
    session.run('CREATE (:RxNeverRun)')
    await lastValueFrom(session.close(), { defaultValue: undefined })
    const { records } = await d.executeQuery('MATCH (n:RxNeverRun) RETURN count(n) AS n', {}, { database: 'neo4j' })
    expect(records[0]?.get('n').toNumber()).to.equal(0)
  })

  it('consume() alone discards the records and still reports the summary; a records() after streaming started fails', async () => {
    const session = d.rxSession({ database: 'neo4j', defaultAccessMode: 'READ' })
    try {
      const result = session.run('UNWIND range(1, 500) AS x RETURN x')
      const summary = await firstValueFrom(result.consume())
      expect(summary.query.text).to.equal('UNWIND range(1, 500) AS x RETURN x')
      const late = await lastValueFrom(result.records()).then(() => undefined, (error: Error) => error)
      expect(late?.message).to.match(/Streaming has already started/)
    } finally {
      await lastValueFrom(session.close(), { defaultValue: undefined })
    }
  })

  it('a failing query errors records() and consume() with the server error', async () => {
    const session = d.rxSession({ database: 'neo4j' })
    try {
      const result = session.run('THIS IS NOT CYPHER')
      const error = await lastValueFrom(result.records()).then(() => undefined, (e: Neo4jError) => e)
      expect(error).to.be.instanceOf(Neo4jError)
      expect(error?.code).to.equal('Neo.ClientError.Statement.SyntaxError')
      const again = await firstValueFrom(result.consume()).then(() => undefined, (e: Neo4jError) => e)
      expect(again).to.equal(error)
    } finally {
      await lastValueFrom(session.close(), { defaultValue: undefined })
    }
  })

  it('pause() stops the server stream (no more PULLs once the buffer is full); resume() delivers the rest in order', async () => {
    const observer = (bolt as unknown as { ResultStreamObserver: { prototype: object } }).ResultStreamObserver.prototype as unknown as { onNext: (fields: unknown) => void, pause: () => void, resume: () => void }
    const { onNext, pause, resume } = observer
    let fromServer = 0
    let pauses = 0
    let resumes = 0
    observer.onNext = function (this: unknown, fields: unknown) { fromServer++; onNext.call(this, fields) }
    observer.pause = function (this: unknown) { pauses++; pause.call(this) }
    observer.resume = function (this: unknown) { resumes++; resume.call(this) }
    const session = d.rxSession({ database: 'neo4j', defaultAccessMode: 'READ', fetchSize: 10 })
    try {
      const result = session.run('UNWIND range(1, 2000) AS x RETURN x')
      const seen: number[] = []
      const done = new Promise<void>((resolve, reject) => {
        result.records().subscribe({
          next: record => {
            seen.push((record.get('x') as { toNumber: () => number }).toNumber())
            if (seen.length === 5) result.pause()
          },
          error: reject,
          complete: resolve
        })
      })
      await waitFor('the driver to pause the server stream', () => pauses > 0)
      const pausedAt = fromServer
      await sleep(200)
      // Held: what came from the server is bounded by what was taken plus one buffer and one batch.
      expect(seen.length).to.equal(5)
      expect(fromServer).to.equal(pausedAt)
      expect(fromServer).to.be.at.most(5 + 10 + 10)
      await result.resume()
      await done
      expect(seen).to.deep.equal(Array.from({ length: 2000 }, (_, i) => i + 1))
      expect(resumes).to.be.greaterThan(0)
      expect((await firstValueFrom(result.consume())).query.text).to.include('range(1, 2000)')
    } finally {
      Object.assign(observer, { onNext, pause, resume })
      await lastValueFrom(session.close(), { defaultValue: undefined })
    }
  })

  it('push() pulls exactly one record at a time', async () => {
    const session = d.rxSession({ database: 'neo4j', defaultAccessMode: 'READ' })
    try {
      const result = session.run('UNWIND range(1, 50) AS x RETURN x')
      result.pause()
      const seen: unknown[] = []
      let completed = false
      const subscription = result.records().subscribe({ next: r => seen.push(r.get('x')), complete: () => { completed = true } })
      await waitFor('the first record', () => seen.length === 1)
      await result.push()
      await result.push()
      expect(seen.length).to.equal(3)
      await result.resume()
      await waitFor('the end of the stream', () => completed)
      expect(seen.length).to.equal(50)
      subscription.unsubscribe()
    } finally {
      await lastValueFrom(session.close(), { defaultValue: undefined })
    }
  })

  it('unsubscribing from records() discards the rest of the stream and frees the connection', async () => {
    const session = d.rxSession({ database: 'neo4j', defaultAccessMode: 'READ', fetchSize: 10 })
    try {
      const result = session.run('UNWIND range(1, 100000) AS x RETURN x')
      const first = await firstValueFrom(result.records())
      expect(first.get('x').toNumber()).to.equal(1)
      const summary = await firstValueFrom(result.consume())
      expect(summary.query.text).to.include('range(1, 100000)')
    } finally {
      await lastValueFrom(session.close(), { defaultValue: undefined })
    }
  })

  it('beginTransaction: run, commit, rollback, isOpen, close', async () => {
    const session = d.rxSession({ database: 'neo4j' })
    try {
      const tx = await firstValueFrom(session.beginTransaction())
      expect(tx.isOpen()).to.equal(true)
      await lastValueFrom(tx.run('CREATE (:RxTx {outcome: "committed"})').consume())
      await lastValueFrom(tx.commit(), { defaultValue: undefined })
      expect(tx.isOpen()).to.equal(false)
      expect(session.lastBookmarks().length).to.equal(1)

      const rolledBack = await firstValueFrom(session.beginTransaction({ metadata: { app: 'rx-spec' } }))
      await lastValueFrom(rolledBack.run('CREATE (:RxTx {outcome: "rolled back"})').consume())
      await lastValueFrom(rolledBack.rollback(), { defaultValue: undefined })

      const closed = await firstValueFrom(session.beginTransaction())
      await lastValueFrom(closed.run('CREATE (:RxTx {outcome: "closed"})').consume())
      await lastValueFrom(closed.close(), { defaultValue: undefined })
      expect(closed.isOpen()).to.equal(false)

      const names = await lastValueFrom(session.run('MATCH (n:RxTx) RETURN n.outcome AS outcome').records().pipe(map(r => r.get('outcome') as string), toArray()))
      expect(names).to.deep.equal(['committed'])
    } finally {
      await lastValueFrom(session.close(), { defaultValue: undefined })
    }
  })

  it('executeWrite emits what the work emitted once committed; a later rxSession with its bookmarks reads it on any reader', async () => {
    const writer = d.rxSession({ database: 'neo4j' })
    let bookmarks: string[]
    try {
      const ids = await lastValueFrom(writer.executeWrite(tx =>
        tx.run('UNWIND [1, 2, 3] AS i CREATE (n:RxCity {id: i}) RETURN n.id AS id').records().pipe(map(r => r.get('id').toNumber() as number))
      ).pipe(toArray()))
      expect(ids).to.deep.equal([1, 2, 3])
      bookmarks = writer.lastBookmarks()
      expect(bookmarks.length).to.equal(1)
    } finally {
      await lastValueFrom(writer.close(), { defaultValue: undefined })
    }
    const reader = d.rxSession({ database: 'neo4j', bookmarks: [bookmarks], defaultAccessMode: 'READ' })
    try {
      const count = await firstValueFrom(reader.executeRead(tx => tx.run('MATCH (n:RxCity) RETURN count(n) AS n').records().pipe(map(r => r.get('n').toNumber() as number))))
      expect(count).to.equal(3)
    } finally {
      await lastValueFrom(reader.close(), { defaultValue: undefined })
    }
  })

  it('executeWrite and executeRead take the transaction config, pipelineBegin included', async () => {
    const session = d.rxSession({ database: 'neo4j' })
    try {
      const ids = await lastValueFrom(session.executeWrite(tx =>
        tx.run('UNWIND [7, 8] AS i CREATE (n:RxPipelined {id: i}) RETURN n.id AS id').records().pipe(map(r => r.get('id').toNumber() as number)),
      { pipelineBegin: true, timeout: 5000 }).pipe(toArray()))
      expect(ids).to.deep.equal([7, 8])
      const count = await firstValueFrom(session.executeRead(tx =>
        tx.run('MATCH (n:RxPipelined) RETURN count(n) AS n').records().pipe(map(r => r.get('n').toNumber() as number)), { pipelineBegin: true }))
      expect(count).to.equal(2)
    } finally {
      await lastValueFrom(session.close(), { defaultValue: undefined })
    }
  })

  it('executeWrite retries work that failed with a retryable error through the retry engine, emitting only the committed attempt', async () => {
    const session = d.rxSession({ database: 'neo4j' })
    let attempts = 0
    const retries: RetryEvent[] = []
    const onRetry = (event: unknown): void => { retries.push(event as RetryEvent) }
    diagnosticsChannel.subscribe(neo4j.diagnosticsChannels.retry, onRetry)
    try {
      const emitted = await lastValueFrom(session.executeWrite(tx => {
        attempts++
        const result = tx.run('CREATE (n:RxRetry {attempt: $attempt}) RETURN n.attempt AS attempt', { attempt: neo4j.int(attempts) })
        if (attempts === 1) {
          // A failover in the middle of the work: the first attempt's record is never emitted.
          return result.records().pipe(map((): number => { throw new Neo4jError('leader went away', neo4j.error.SESSION_EXPIRED as never, '08N00', 'error: connection exception') }))
        }
        return result.records().pipe(map(r => r.get('attempt').toNumber() as number))
      }).pipe(toArray()))
      expect(attempts).to.equal(2)
      expect(emitted).to.deep.equal([2])
      const stored = await lastValueFrom(session.run('MATCH (n:RxRetry) RETURN n.attempt AS a').records().pipe(map(r => r.get('a').toNumber() as number), toArray()))
      expect(stored).to.deep.equal([2]) // the first attempt was rolled back
      expect(retries.map(r => r.code)).to.deep.equal(['SessionExpired']) // lib/retry decided, as for the promise API
    } finally {
      diagnosticsChannel.unsubscribe(neo4j.diagnosticsChannels.retry, onRetry)
      await lastValueFrom(session.close(), { defaultValue: undefined })
    }
  })

  it('the leader stopped in the middle of an executeWrite: the work runs again on the new leader, its values emitted once', async function () {
    needsFixture(this)
    const cluster = target.cluster
    if (cluster === undefined) throw new Error('fixture expected')
    const { leader, address } = await roles(cluster)
    const session = d.rxSession({ database: 'neo4j' })
    let attempts = 0
    try {
      const emitted = await lastValueFrom(session.executeWrite(tx => {
        attempts++
        const attempt = attempts
        return tx.run('CREATE (:RxMidWork {step: "first"})').consume().pipe(
          // The transaction is open on the leader: stop it before the work's second query.
          mergeMap(() => defer(async () => { if (attempt === 1) await cluster.stop(leader) })),
          mergeMap(() => tx.run('CREATE (n:RxMidWork {step: "second"}) RETURN n.step AS step').records()),
          mergeMap(record => tx.run('RETURN 1').consume().pipe(map(summary => `${record.get('step') as string}@${summary.server.address ?? ''}`)))
        )
      }).pipe(toArray()))
      // The work ran again (at least once more: an attempt that began just before the election can fail too).
      expect(attempts).to.be.at.least(2)
      const newLeader = await cluster.leader('neo4j')
      expect(newLeader).to.not.equal(leader)
      expect(emitted).to.deep.equal([`second@${address(newLeader)}`])
      const steps = await lastValueFrom(session.run('MATCH (n:RxMidWork) RETURN n.step AS step ORDER BY step').records().pipe(map(r => r.get('step') as string), toArray()))
      expect(steps).to.deep.equal(['first', 'second'])
    } finally {
      await lastValueFrom(session.close(), { defaultValue: undefined })
      await cluster.start(leader)
    }
  })

  it('executeWrite does not retry a non-retryable error, and rolls the work back', async () => {
    const session = d.rxSession({ database: 'neo4j' })
    let attempts = 0
    try {
      const error = await lastValueFrom(session.executeWrite(tx => {
        attempts++
        return tx.run('CREATE (:RxFailed)').consume().pipe(map(() => { throw new Error('application bug') }))
      })).then(() => undefined, (e: Error) => e)
      expect(error?.message).to.equal('application bug')
      expect(attempts).to.equal(1)
      const failed = await firstValueFrom(session.run('MATCH (n:RxFailed) RETURN count(n) AS n').records())
      expect(failed.get('n').toNumber()).to.equal(0)
      const thrown = await lastValueFrom(session.executeRead(() => throwError(() => new Error('no'))), { defaultValue: undefined }).catch((e: Error) => e.message)
      expect(thrown).to.equal('no')
    } finally {
      await lastValueFrom(session.close(), { defaultValue: undefined })
    }
  })

  it('unsubscribing from executeWrite mid-work rolls the transaction back and frees its connection', async () => {
    const session = d.rxSession({ database: 'neo4j' })
    try {
      let started = false
      const subscription = session.executeWrite(tx => {
        started = true
        return tx.run('CREATE (:RxAbandoned) WITH 1 AS one UNWIND range(1, 100000) AS x RETURN x').records()
      }).subscribe({ error: () => {} })
      await waitFor('the work to start', () => started)
      await sleep(50)
      subscription.unsubscribe()
      await waitFor('the connection to come back', () => d.poolStats().inUse === 0)
      const { records } = await d.executeQuery('MATCH (n:RxAbandoned) RETURN count(n) AS n', {}, { database: 'neo4j' })
      expect(records[0]?.get('n').toNumber()).to.equal(0)
    } finally {
      await lastValueFrom(session.close(), { defaultValue: undefined })
    }
  })

  it('a write loop of rx executeWrite keeps going across a leader stop: nothing acknowledged lost or duplicated', async function () {
    needsFixture(this)
    const cluster = target.cluster
    if (cluster === undefined) throw new Error('fixture expected')
    const { leader, address } = await roles(cluster)
    const acked: number[] = []
    const unknown: number[] = []
    const errors: Error[] = []
    const servedBy = new Set<string>()
    let stopped: Promise<void> | undefined
    try {
      for (let i = 0; i < 80; i++) {
        const session = d.rxSession({ database: 'neo4j' })
        try {
          const served = await firstValueFrom(session.executeWrite(tx =>
            tx.run('CREATE (:RxPing {id: $id})', { id: neo4j.int(i) }).consume().pipe(map(summary => summary.server.address ?? ''))))
          acked.push(i)
          servedBy.add(served)
          // Stopped from inside the loop and waited for: the remaining writes cannot all finish on the old leader first.
          if (acked.length === 15 && stopped === undefined) { stopped = cluster.stop(leader); await stopped }
        } catch (error) {
          if (error instanceof CommitOutcomeUnknownError) unknown.push(i)
          else errors.push(error as Error)
        } finally {
          await lastValueFrom(session.close(), { defaultValue: undefined })
        }
      }
      await stopped
      expect(errors.map(e => e.message)).to.deep.equal([])
      expect(unknown.length).to.be.at.most(1)
      expect(acked.length + unknown.length).to.equal(80)
      const newLeader = await cluster.leader('neo4j')
      expect(newLeader).to.not.equal(leader)
      expect(servedBy.has(address(leader))).to.equal(true)
      expect(servedBy.has(address(newLeader))).to.equal(true)
    } finally {
      await cluster.start(leader)
    }
    const { records } = await d.executeQuery('MATCH (p:RxPing) RETURN p.id AS id, count(*) AS n', {}, { database: 'neo4j' })
    const present = new Map(records.map((r: Neo4jRecord) => [r.get('id').toNumber() as number, r.get('n').toNumber() as number]))
    for (const id of acked) expect(present.get(id), `acknowledged write ${id}`).to.equal(1)
    for (const id of unknown) expect(present.get(id) ?? 0).to.be.at.most(1)
  })

  it('rxSession options are validated like session options (unknown ones warned about, bad values rejected)', () => {
    expect(() => d.rxSession({ defaultAccessMode: 'r' as never })).to.throw(/Invalid session configuration: session option 'defaultAccessMode'/)
    const session = d.rxSession({ database: 'neo4j', someLibraryOption: true } as never)
    void lastValueFrom(session.close(), { defaultValue: undefined })
  })
})

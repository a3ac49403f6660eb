// Socket writes per transaction: executeQuery's BEGIN rides in the same write
// as its RUN + PULL, so a one-query transaction costs two writes (BEGIN+RUN+
// PULL, COMMIT) instead of three. With fetchSize -1 (everything at once), a
// read (or idempotent work) whose result the driver consumes itself sends
// COMMIT in that write too: one write, one round trip. A transaction function's BEGIN goes out at
// once and is answered before the work is called (the work never runs for a
// transaction that did not begin), so BEGIN is never held back — unless the
// transaction option pipelineBegin asks for the work to be called at once.

import { expect } from 'chai'
import net from 'node:net'
import { BoltServer } from '../../cluster-fixture/bolt/index.js'
import { FakeBackend, PASSWORD, USER } from '../fixture/bolt/fake-backend.js'
import neo4j, { type Driver } from '../../lib/index.js'
import { needsFixture, sleep } from './helpers.js'

describe('integration: socket writes per transaction', function () {
  let backend: FakeBackend
  let server: BoltServer
  let port: number
  let d: Driver
  let writes = 0
  /** Writes made while the client was still handling a `data` event of the member's socket (synchronously). */
  let writesInsideAnswer = 0
  let handlingAnswer = false
  const write = net.Socket.prototype.write
  const emit = net.Socket.prototype.emit
  const connect = net.connect

  before(function () { needsFixture(this) })

  beforeEach(async () => {
    backend = new FakeBackend()
    server = new BoltServer({ backend })
    port = await server.listen(0)
    backend.address = `127.0.0.1:${port}`
    // Count the client's writes: sockets whose far end is the member (the member's own sockets have it as local end).
    net.Socket.prototype.write = function (this: net.Socket, ...args: unknown[]) {
      if (this.remotePort === port) {
        writes++
        if (handlingAnswer) writesInsideAnswer++
      }
      return (write as (...a: unknown[]) => boolean).apply(this, args)
    } as typeof write
    net.Socket.prototype.emit = function (this: net.Socket, ...args: unknown[]) {
      const forward = (): boolean => (emit as (...a: unknown[]) => boolean).apply(this, args)
      if (args[0] !== 'data' || this.remotePort !== port) return forward()
      handlingAnswer = true
      try { return forward() } finally { handlingAnswer = false }
    } as typeof emit
    // Plain TCP connections read through an `onread` callback (lib/connection/socket-reads.ts), not `data` events.
    net.connect = function (this: unknown, ...args: unknown[]) {
      const options = args[0] as { port?: number, onread?: { callback: (...a: unknown[]) => boolean } }
      const read = options?.onread?.callback
      if (read !== undefined && options.port === port) {
        options.onread = { ...options.onread, callback: (...a: unknown[]) => { handlingAnswer = true; try { return read(...a) } finally { handlingAnswer = false } } } as typeof options.onread
      }
      return (connect as (...a: unknown[]) => net.Socket).apply(this, args)
    } as typeof connect
    d = neo4j.driver(`neo4j://127.0.0.1:${port}`, neo4j.auth.basic(USER, PASSWORD))
    await d.executeQuery('RETURN 1', {}, { database: 'neo4j' }) // routing table and one pooled connection
    writes = 0
    writesInsideAnswer = 0
  })

  afterEach(async () => {
    net.Socket.prototype.write = write
    net.Socket.prototype.emit = emit
    net.connect = connect
    await d.close()
    await server.close()
  })

  it('executeQuery write: BEGIN+RUN+PULL in one write, COMMIT in another (a write whose query fails can still be retried)', async () => {
    const { records } = await d.executeQuery('RETURN 1 AS n', {}, { database: 'neo4j' })
    expect(records).to.have.length(1)
    expect(writes).to.equal(2)
    expect(backend.committed).to.equal(2)
  })

  it('executeQuery read with the default fetch size: BEGIN+RUN+PULL(1000) in one write, COMMIT once the records are in', async () => {
    const read = await d.executeQuery('RETURN 1 AS n', {}, { database: 'neo4j', routing: neo4j.routing.READ })
    expect(read.records).to.have.length(1)
    expect(writes).to.equal(2)
  })

  it('fetchSize -1: executeQuery read, or idempotent write, sends BEGIN+RUN+PULL(all)+COMMIT in one write', async () => {
    const all = neo4j.driver(`neo4j://127.0.0.1:${port}`, neo4j.auth.basic(USER, PASSWORD), { fetchSize: -1 })
    try {
      await all.executeQuery('RETURN 1', {}, { database: 'neo4j', routing: neo4j.routing.READ }) // routing table, pooled connection
      writes = 0
      const read = await all.executeQuery('RETURN 1 AS n', {}, { database: 'neo4j', routing: neo4j.routing.READ })
      expect(read.records).to.have.length(1)
      expect(writes).to.equal(1)
      const write = await all.executeQuery('RETURN 1 AS n', {}, { database: 'neo4j', transactionConfig: { idempotent: true } })
      expect(write.records).to.have.length(1)
      expect(writes).to.equal(2)
      const notIdempotent = await all.executeQuery('RETURN 1 AS n', {}, { database: 'neo4j' })
      expect(notIdempotent.records).to.have.length(1)
      expect(writes).to.equal(4) // a write that may not run twice keeps COMMIT apart
      expect(read.summary.counters.containsUpdates()).to.equal(false)
    } finally {
      await all.close()
    }
  })

  it('executeQuery with a resultTransformer of its own keeps COMMIT apart (the transformer may still throw)', async () => {
    const n = await d.executeQuery('RETURN 1 AS n', {}, {
      database: 'neo4j', routing: neo4j.routing.READ, resultTransformer: async result => (await result).records.length
    })
    expect(n).to.equal(1)
    expect(writes).to.equal(2)
    expect(writesInsideAnswer).to.equal(0) // COMMIT once the transformer's work returned
  })

  it('executeQuery with the default transformer writes COMMIT while reading the stream\'s last SUCCESS, not after the records went through the promise chain', async () => {
    for (const routing of [neo4j.routing.READ, neo4j.routing.WRITE]) {
      writes = 0
      writesInsideAnswer = 0
      const { records } = await d.executeQuery('RETURN 1 AS n', {}, { database: 'neo4j', routing })
      expect(records, routing).to.have.length(1)
      expect(writes, routing).to.equal(2)
      expect(writesInsideAnswer, routing).to.equal(1) // the COMMIT
    }
    expect(backend.committed).to.equal(3) // the warm-up's, the read's and the write's
  })

  it('executeQuery over several batches: each PULL after a batch, COMMIT only after the last one, all records there', async () => {
    const batched = neo4j.driver(`neo4j://127.0.0.1:${port}`, neo4j.auth.basic(USER, PASSWORD), { fetchSize: 2 })
    try {
      await batched.executeQuery('RETURN 1', {}, { database: 'neo4j', routing: neo4j.routing.READ }) // routing table, pooled connection
      writes = 0
      writesInsideAnswer = 0
      const { records, summary } = await batched.executeQuery('UNWIND range(1, 5) AS i RETURN i', {}, { database: 'neo4j', routing: neo4j.routing.READ })
      expect(records.map(r => r.get('i').toNumber())).to.deep.equal([1, 2, 3, 4, 5])
      expect(summary.resultConsumedAfter).to.not.equal(undefined)
      // BEGIN+RUN+PULL(2); PULL(2) twice after a batch with has_more; COMMIT after the last SUCCESS.
      expect(writes).to.equal(4)
      expect(writesInsideAnswer).to.equal(3)
    } finally {
      await batched.close()
    }
  })

  it('a transaction function: BEGIN alone and answered before the work runs (BEGIN, two queries, COMMIT = four writes)', async () => {
    const session = d.session({ database: 'neo4j', defaultAccessMode: 'READ' })
    try {
      await session.executeRead(async tx => {
        expect(writes).to.equal(1) // BEGIN sent and answered before the work was called
        await tx.run('RETURN 1 AS n')
        await tx.run('RETURN 2 AS n')
      })
    } finally {
      await session.close()
    }
    expect(writes).to.equal(4)
  })

  it('a transaction function with pipelineBegin: the work is called before BEGIN is answered, BEGIN+RUN+PULL in one write, COMMIT in another', async () => {
    const session = d.session({ database: 'neo4j' })
    try {
      const n = await session.executeWrite(async tx => {
        expect(writes).to.equal(0) // nothing sent yet: BEGIN waits for the work's first query
        const { records } = await tx.run('RETURN 1 AS n')
        expect(writes).to.equal(1)
        return records[0]?.get('n') as unknown
      }, { pipelineBegin: true })
      expect(Number(n)).to.equal(1)
    } finally {
      await session.close()
    }
    expect(writes).to.equal(2)
    expect(backend.committed).to.equal(2)
  })

  it('pipelineBegin with work that does something else first: BEGIN is not held back waiting for a query', async () => {
    const session = d.session({ database: 'neo4j' })
    try {
      await session.executeWrite(async tx => {
        await sleep(20)
        expect(writes).to.equal(1) // BEGIN went out on its own when no query was asked for in the same tick
        await tx.run('RETURN 1 AS n')
      }, { pipelineBegin: true })
    } finally {
      await session.close()
    }
    expect(writes).to.equal(3)
  })

  it('work that does something else first: BEGIN goes out on its own, at once', async () => {
    const session = d.session({ database: 'neo4j' })
    try {
      await session.executeWrite(async tx => {
        await sleep(20)
        expect(writes).to.equal(1) // BEGIN already sent, not waiting for a RUN
        await tx.run('RETURN 1 AS n')
      })
    } finally {
      await session.close()
    }
    expect(writes).to.equal(3)
  })

  it('an explicit transaction awaited before its first query sends BEGIN at once', async () => {
    const session = d.session({ database: 'neo4j' })
    try {
      const tx = await session.beginTransaction()
      expect(writes).to.equal(1)
      await tx.run('RETURN 1 AS n')
      await tx.commit()
    } finally {
      await session.close()
    }
    expect(writes).to.equal(3)
  })

  it('a first query whose parameters cannot be sent: BEGIN is not held back and nothing hangs', async () => {
    const session = d.session({ database: 'neo4j' })
    try {
      const error = await session.executeWrite(async tx => await tx.run('RETURN $x', { x: () => 1 })).catch(e => e)
      expect(error.message).to.match(/pack/i)
    } finally {
      await session.close()
    }
    expect(d.poolStats().inUse).to.equal(0)
    expect((await d.executeQuery('RETURN 1 AS n', {}, { database: 'neo4j' })).records).to.have.length(1)
  })
})

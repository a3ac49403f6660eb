// The raw Bolt floor must be a correct client, or "percent of floor" means
// nothing: it gets every row, survives a failure (RESET), and finds readers
// and the writer with one ROUTE. Against a small fixture cluster.

import { expect } from 'chai'
import { startCluster, type Cluster } from '../../cluster-fixture/index.js'
import { RawBoltClient, topologyFromRoute } from '../../bench/raw-bolt/client.js'
import { RawBoltConnection, RawBoltError, splitAddress } from '../../bench/raw-bolt/connection.js'

const CREDENTIALS = { user: 'neo4j', password: 'password123' }

describe('bench: raw Bolt floor client', function () {
  this.timeout(60_000)
  let cluster: Cluster
  let seed: string

  before(async () => {
    cluster = await startCluster({ primaries: 1, secondaries: 1 })
    seed = cluster.members()[0].address
  })

  after(async () => {
    await cluster?.close()
  })

  it('streams every row of one query with RUN + PULL, decoding each', async () => {
    const connection = await RawBoltConnection.open(seed, CREDENTIALS)
    try {
      let sum = 0n
      const outcome = await connection.run('UNWIND range(1, $n) AS i RETURN i', { n: 5000n }, {}, (values) => { sum += values[0] as bigint })
      expect(outcome.records).to.equal(5000)
      expect(sum).to.equal(5000n * 5001n / 2n)
      expect(outcome.summary).to.have.property('type')
    } finally {
      connection.close()
    }
  })

  it('throws the server\'s error, then the same connection still answers (RESET after FAILURE)', async () => {
    const connection = await RawBoltConnection.open(seed, CREDENTIALS)
    try {
      let error: unknown
      try { await connection.run('RETURN $missing +', {}, {}) } catch (e) { error = e }
      expect(error).to.be.instanceOf(RawBoltError)
      expect((error as RawBoltError).code).to.match(/^Neo\.ClientError\./)
      expect((await connection.run('RETURN 1 AS n', {}, {})).records).to.equal(1)
    } finally {
      connection.close()
    }
  })

  it('the managed-transaction floor: BEGIN + RUN + PULL in one write, then COMMIT (or all four at once); writes are visible, failures roll back', async () => {
    const connection = await RawBoltConnection.open(seed, CREDENTIALS)
    const before = cluster.server('server1').stats().messages
    try {
      const outcome = await connection.transaction('CREATE (:RawTx {v: $v}) RETURN 1 AS one', { v: 7n }, {})
      expect(outcome.records).to.equal(1)
      expect(outcome.summary).to.have.property('bookmark')
      const after = cluster.server('server1').stats().messages
      for (const type of ['BEGIN', 'RUN', 'PULL', 'COMMIT']) expect((after[type] ?? 0) - (before[type] ?? 0), type).to.equal(1)
      let error: unknown
      try { await connection.transaction('CREATE (:RawTx {v: 8}) RETURN $missing +', {}, {}) } catch (e) { error = e }
      expect(error).to.be.instanceOf(RawBoltError)
      const again = await connection.transaction('CREATE (:RawTx {v: 9}) RETURN 1 AS one', {}, {}) // the connection recovered (RESET)
      expect(again.records).to.equal(1)
      const values: unknown[] = []
      await connection.run('MATCH (n:RawTx) RETURN n.v ORDER BY n.v', {}, {}, (row) => { values.push(row[0]) })
      expect(values).to.deep.equal([7n, 9n])
    } finally {
      connection.close()
    }
  })

  it('refuses wrong credentials', async () => {
    let error: unknown
    try { await RawBoltConnection.open(seed, { user: 'neo4j', password: 'wrong' }) } catch (e) { error = e }
    expect(error).to.be.instanceOf(Error)
  })

  it('finds the writer and a reader with one ROUTE, and writes and reads through them', async () => {
    const client = new RawBoltClient(seed, CREDENTIALS, null)
    try {
      await client.run(0, 'WRITE', 'CREATE (:RawSpec {v: 1})')
      const writer = await client.connection(0, 'WRITE')
      expect(writer.address).to.equal(cluster.members().find((m) => m.name === 'server1')?.address)
      const reader = await client.connection(0, 'READ')
      expect(reader.address).to.equal(cluster.members().find((m) => m.name === 'server2')?.address)
      // The secondary applies the write asynchronously: read (bounded) until it has.
      let count = 0
      for (let i = 0; i < 100 && count === 0; i++) {
        await client.run(0, 'READ', 'MATCH (n:RawSpec) RETURN n.v', {}, () => { count++ })
        if (count === 0) await new Promise((resolve) => setTimeout(resolve, 20))
      }
      expect(count).to.equal(1)
    } finally {
      client.close()
    }
  })

  it('reads a ROUTE answer into addresses per role', () => {
    const topology = topologyFromRoute({
      rt: { ttl: 300n, db: 'neo4j', servers: [{ role: 'WRITE', addresses: ['a:1'] }, { role: 'READ', addresses: ['b:2', 'c:3'] }, { role: 'ROUTE', addresses: ['a:1', 'b:2'] }] }
    })
    expect(topology).to.deep.equal({ writers: ['a:1'], readers: ['b:2', 'c:3'], routers: ['a:1', 'b:2'] })
    expect(topologyFromRoute({})).to.deep.equal({ writers: [], readers: [], routers: [] })
  })

  it('splits host:port and refuses anything else', () => {
    expect(splitAddress('127.0.0.1:7687')).to.deep.equal({ host: '127.0.0.1', port: 7687 })
    for (const bad of ['127.0.0.1', ':7687', 'host:0', 'host:x', 'host:70000']) expect(() => splitAddress(bad), bad).to.throw(RangeError)
  })
})

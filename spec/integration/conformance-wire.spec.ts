// Wire-level behaviour that Neo4j's conformance suite (testkit) checks byte by
// byte, pinned here against a scripted member so CI guards it without testkit.
// Each case is a defect testkit's recorded servers found in this driver.

import { expect } from 'chai'
import type { PackMap } from '../../cluster-fixture/bolt/packstream.js'
import neo4j, { type Config, type Driver, type Record as Neo4jRecord } from '../../lib/index.js'
import { either, failure, housekeeping, IGNORED, record, ScriptedMember, success, type Received, type Script } from './scripted-member.js'

const members: ScriptedMember[] = []
const drivers: Driver[] = []

async function member (version: { major: number, minor: number }, script: Script): Promise<ScriptedMember> {
  const m = await ScriptedMember.start(version, script)
  members.push(m)
  return m
}

function open (url: string, config: Config = {}): Driver {
  const d = neo4j.driver(url, neo4j.auth.basic('neo4j', 'pass'), { maxTransactionRetryTime: 2000, connectionAcquisitionTimeout: 5000, ...config })
  drivers.push(d)
  return d
}

/** A ROUTE answer naming `self` for every role; `db` omitted as servers before 4.4 (or a routing procedure) do. */
function table (self: string, db?: string): PackMap {
  const servers = ['ROUTE', 'READ', 'WRITE'].map(role => ({ role, addresses: [self] }))
  return db === undefined ? { ttl: 1000n, servers } : { ttl: 1000n, db, servers }
}

function extraOf (request: Received | undefined, index: number): Record<string, unknown> {
  return (request?.fields[index] ?? {}) as Record<string, unknown>
}

/** Auto-commit or transactional queries that return one row [1], and COMMIT with a bookmark. */
const answersQueries: Script = (request) => {
  switch (request.name) {
    case 'BEGIN': return [success()]
    case 'RUN': return [success({ fields: ['n'] })]
    case 'PULL': return [record(1n), success({ type: 'r' })]
    case 'COMMIT': return [success({ bookmark: 'bm:1' })]
    case 'ROLLBACK': return [success()]
    default: return undefined
  }
}

describe('integration: wire behaviour testkit checks (scripted member)', function () {
  this.timeout(20_000)

  afterEach(async () => {
    await Promise.allSettled(drivers.splice(0).map(async d => await d.close()))
    await Promise.allSettled(members.splice(0).map(async m => await m.close()))
  })

  it('a RUN inside an explicit READ transaction carries no extra fields (mode, db and bookmarks went with BEGIN)', async () => {
    const m = await member({ major: 4, minor: 4 }, either(housekeeping(), answersQueries))
    const d = open(`bolt://${m.address}`)
    const session = d.session({ database: 'shop', defaultAccessMode: neo4j.session.READ, bookmarks: ['bm:0'] })
    const tx = await session.beginTransaction()
    await tx.run('RETURN 1 AS n')
    await tx.commit()
    await session.executeRead(async t => await t.run('RETURN 1 AS n'))
    await session.close()
    const begins = m.received.filter(r => r.name === 'BEGIN')
    const runs = m.received.filter(r => r.name === 'RUN')
    expect(begins).to.have.length(2)
    expect(extraOf(begins[0], 0)).to.deep.include({ mode: 'r', db: 'shop', bookmarks: ['bm:0'] })
    expect(runs.map(r => extraOf(r, 2))).to.deep.equal([{}, {}])
    expect(m.unexpected).to.deep.equal([])
  })

  it('a failed transaction ends its other open results with the same error, and asks for no more records', async () => {
    let pulls = 0
    const m = await member({ major: 4, minor: 4 }, either(housekeeping(), (request) => {
      switch (request.name) {
        case 'BEGIN': return [success()]
        case 'RUN': return request.fields[0] === 'RETURN 1 AS n' ? [success({ fields: ['n'], qid: 1n })] : [failure('Neo.ClientError.Statement.SyntaxError', 'Invalid input')]
        case 'PULL': return ++pulls === 1 ? [record(1n), record(2n), success({ has_more: true })] : [IGNORED]
        default: return undefined
      }
    }))
    const d = neo4j.driver(`bolt://${m.address}`, neo4j.auth.basic('neo4j', 'pass'), { fetchSize: 2 })
    drivers.push(d)
    const session = d.session({ defaultAccessMode: neo4j.session.READ })
    const tx = await session.beginTransaction()
    const first = tx.run('RETURN 1 AS n')
    const iterator = first[Symbol.asyncIterator]()
    expect(((await iterator.next()).value as Neo4jRecord).get('n').toNumber()).to.equal(1)
    const failed = await tx.run('invalid').catch((error: Error) => error)
    expect((failed as { code?: string }).code).to.equal('Neo.ClientError.Statement.SyntaxError')
    // The rest of the first result: what was already buffered may come, then the transaction's failure, never a PULL.
    let ended: unknown
    for (let i = 0; i < 3 && ended === undefined; i++) ended = await iterator.next().then(() => undefined, (error: unknown) => error)
    expect((ended as { code?: string }).code).to.equal('Neo.ClientError.Statement.SyntaxError')
    await tx.close()
    await session.close()
    const afterFailure = m.names().slice(m.names().lastIndexOf('RUN') + 1)
    expect(afterFailure.filter(name => name === 'PULL' || name === 'DISCARD').length).to.be.at.most(1) // the one pipelined with the failing RUN
    expect(afterFailure.filter(name => name === 'RESET')).to.have.length(1)
    expect(d.poolStats().inUse).to.equal(0)
  })

  it('a transaction function is called only once BEGIN succeeded: a failed BEGIN never runs application code', async () => {
    const m = await member({ major: 4, minor: 4 }, either(housekeeping(), (request) => request.name === 'BEGIN' ? [failure('Neo.ClientError.MadeUp.Code')] : undefined))
    const d = open(`bolt://${m.address}`)
    const session = d.session()
    let calls = 0
    const error = await session.executeWrite(async tx => { calls++; return await tx.run('RETURN 1') }).catch((e: Error) => e)
    await session.close()
    expect((error as { code?: string }).code).to.equal('Neo.ClientError.MadeUp.Code')
    expect(calls).to.equal(0)
    expect(m.names()).to.not.include('RUN')
  })

  it('a clean connection goes back to its pool without RESET; verifyConnectivity RESETs a reused one, not a new one', async () => {
    const m = await member({ major: 4, minor: 4 }, either(housekeeping(), answersQueries))
    const d = open(`bolt://${m.address}`)
    await d.verifyConnectivity() // a new connection: logging on proved it
    expect(m.names()).to.deep.equal(['HELLO'])
    await d.executeQuery('RETURN 1 AS n')
    expect(m.names().filter(n => n === 'RESET')).to.have.length(0)
    const info = await d.getServerInfo()
    expect(info.address).to.equal(m.address)
    expect(info.protocolVersion?.toString()).to.equal('4.4')
    expect(m.names().filter(n => n === 'RESET')).to.have.length(1) // the reused connection's round trip
    expect(m.names().filter(n => n === 'HELLO')).to.have.length(1)
  })

  it('executeQuery sends BEGIN, RUN and PULL (the fetch size) together, and COMMIT once the records are in', async () => {
    const m = await member({ major: 5, minor: 0 }, either(housekeeping('Neo4j/5.0.0'), answersQueries))
    const d = open(`bolt://${m.address}`)
    await d.executeQuery('RETURN 1 AS n', {}, { routing: neo4j.routing.READ })
    expect(m.received.find(r => r.name === 'PULL')?.fields[0]).to.deep.equal({ n: 1000n })
    expect(m.names().slice(-4)).to.deep.equal(['BEGIN', 'RUN', 'PULL', 'COMMIT'])
  })

  it('fetchSize -1: executeQuery READ sends BEGIN, RUN, PULL (all) and COMMIT together, and a connection lost meanwhile is retried (a read cannot have written)', async () => {
    let dropped = false
    const m = await member({ major: 5, minor: 0 }, either(housekeeping('Neo4j/5.0.0'), (request, history) => {
      if (request.name === 'BEGIN' && !dropped) { dropped = true; return 'close' }
      return answersQueries(request, history)
    }))
    const d = open(`bolt://${m.address}`, { fetchSize: -1 })
    const { records } = await d.executeQuery('RETURN 1 AS n', {}, { routing: neo4j.routing.READ })
    expect(records[0]?.get('n').toNumber()).to.equal(1)
    const second = m.received.filter(r => r.connection === 2).map(r => r.name)
    expect(second).to.deep.equal(['HELLO', 'BEGIN', 'RUN', 'PULL', 'COMMIT'])
    expect(m.received.find(r => r.connection === 2 && r.name === 'PULL')?.fields[0]).to.deep.equal({ n: -1n })
  })

  it('telemetry: one TELEMETRY per API call, only when the server asks for it (hint telemetry.enabled) and telemetryDisabled is not set', async () => {
    const helloWith = (hints: PackMap): Script => (request) =>
      request.name === 'HELLO' ? [success({ server: 'Neo4j/5.13.0', connection_id: `bolt-${request.connection}`, hints })] : undefined
    const answersTelemetry: Script = (request) => request.name === 'TELEMETRY' ? [success()] : undefined
    const telemetryApis = (m: ScriptedMember): unknown[] => m.received.filter(r => r.name === 'TELEMETRY').map(r => r.fields[0])

    const asked = await member({ major: 5, minor: 4 }, either(helloWith({ 'telemetry.enabled': true }), housekeeping('Neo4j/5.13.0'), answersTelemetry, answersQueries))
    const d = open(`bolt://${asked.address}`)
    await d.executeQuery('RETURN 1 AS n')
    const session = d.session()
    await session.executeRead(async tx => await tx.run('RETURN 1 AS n'))
    await session.run('RETURN 1 AS n')
    const tx = await session.beginTransaction()
    await tx.run('RETURN 1 AS n')
    await tx.commit()
    await session.close()
    // executeQuery 3, transaction function 0, auto-commit 2, unmanaged transaction 1 (Bolt's TELEMETRY api numbers)
    expect(telemetryApis(asked)).to.deep.equal([3n, 0n, 2n, 1n])
    expect(asked.unexpected).to.deep.equal([])

    const notAsked = await member({ major: 5, minor: 4 }, either(helloWith({}), housekeeping('Neo4j/5.13.0'), answersTelemetry, answersQueries))
    await open(`bolt://${notAsked.address}`).executeQuery('RETURN 1 AS n')
    expect(telemetryApis(notAsked)).to.deep.equal([])

    const disabled = await member({ major: 5, minor: 4 }, either(helloWith({ 'telemetry.enabled': true }), housekeeping('Neo4j/5.13.0'), answersTelemetry, answersQueries))
    await open(`bolt://${disabled.address}`, { telemetryDisabled: true }).executeQuery('RETURN 1 AS n')
    expect(telemetryApis(disabled)).to.deep.equal([])
  })

  it('bolt:// sends nothing but the work: no ROUTE', async () => {
    const m = await member({ major: 5, minor: 0 }, either(housekeeping('Neo4j/5.0.0'), answersQueries))
    const d = open(`bolt://${m.address}`)
    await d.executeQuery('RETURN 1 AS n')
    await new Promise(resolve => setTimeout(resolve, 50))
    expect(m.names()).to.not.include('ROUTE')
    expect(m.unexpected).to.deep.equal([])
  })

  it('routing over Bolt 4.3: ROUTE names the database as a string; the home database as null, and a table without a name is the default one', async () => {
    let self = ''
    const m = await member({ major: 4, minor: 3 }, either(housekeeping('Neo4j/4.3.0'), answersQueries, (request) =>
      request.name === 'ROUTE' ? [success({ rt: table(self) })] : undefined))
    self = m.address
    const d = open(`neo4j://${m.address}`)
    await d.executeQuery('RETURN 1 AS n', {}, { database: 'shop' })
    const s = d.session() // no database: ROUTE with null, the answer names none
    await s.run('RETURN 1 AS n')
    await s.run('RETURN 1 AS n') // the session keeps the table it resolved: no second ROUTE
    await s.close()
    const routes = m.received.filter(r => r.name === 'ROUTE')
    expect(routes.map(r => r.fields[2])).to.deep.equal(['shop', null])
    const runs = m.received.filter(r => r.name === 'RUN')
    expect(runs.slice(1).map(r => extraOf(r, 2).db)).to.deep.equal([undefined, undefined]) // the default database is never named
    expect(m.unexpected).to.deep.equal([])
  })

  it('routing over Bolt 3.0: the routing procedure in an auto-commit query', async () => {
    let self = ''
    const m = await member({ major: 3, minor: 0 }, either(housekeeping('Neo4j/3.5.0'), (request, history) => {
      const last = history.at(-2)
      if (request.name === 'RUN' && String(request.fields[0]).startsWith('CALL dbms.cluster.routing.getRoutingTable')) return [success({ fields: ['ttl', 'servers'] })]
      if (request.name === 'PULL' && last?.name === 'RUN' && String(last.fields[0]).startsWith('CALL dbms.cluster.routing')) {
        return [record(1000n, ['ROUTE', 'READ', 'WRITE'].map(role => ({ role, addresses: [self] }))), success({ type: 'r' })]
      }
      return answersQueries(request, history)
    }))
    self = m.address
    const d = open(`neo4j://${m.address}?region=eu`)
    const result = await d.executeQuery('RETURN 1 AS n')
    expect(result.records[0]?.get('n').toNumber()).to.equal(1)
    const procedure = m.received.find(r => r.name === 'RUN')
    expect(procedure?.fields[0]).to.equal('CALL dbms.cluster.routing.getRoutingTable($context)')
    expect(procedure?.fields[1]).to.deep.equal({ context: { region: 'eu', address: m.address } })
    expect(m.unexpected).to.deep.equal([])
  })
})

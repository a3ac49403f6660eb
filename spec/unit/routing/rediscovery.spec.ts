import { expect } from 'chai'
import { newError } from 'neo4j-driver-core'
import type { ConnectionTarget, RouteRequest } from '../../../lib/connection/route-types.js'
import { DiscoveryError, tagConnectionLost } from '../../../lib/errors.js'
import { discover, endsDiscovery } from '../../../lib/routing/rediscovery.js'
import type { RouteReply } from '../../../lib/routing/routing-table.js'
import { resolveSeed } from '../../../lib/routing/seed.js'

const query: RouteRequest = { routingContext: { address: 'seed:7687' }, database: 'neo4j', impersonatedUser: null, bookmarks: ['bm:1'] }
const good: RouteReply = { ttl: 300, db: 'neo4j', servers: [{ role: 'WRITE', addresses: ['a:1'] }, { role: 'READ', addresses: ['b:1'] }, { role: 'ROUTE', addresses: ['a:1', 'b:1'] }] }

function refused (address: string): Error {
  const e = newError(`Failed to connect to server. Caused by: connect ECONNREFUSED ${address}`, 'SessionExpired')
  tagConnectionLost(e)
  return e
}

type Behaviour = RouteReply | Error
function sender (behaviours: Record<string, Behaviour>, log: string[]) {
  return async (target: ConnectionTarget, q: RouteRequest): Promise<RouteReply> => {
    const label = target.resolvedHost === undefined ? target.hostPort : `${target.hostPort}(${target.resolvedHost})`
    log.push(label)
    expect(q.bookmarks).to.deep.equal(['bm:1'])
    const b = behaviours[label]
    if (b === undefined) throw new Error(`unexpected router ${label}`)
    if (b instanceof Error) throw b
    return b
  }
}

const seedOnly = async () => ({ targets: [{ hostPort: 'seed:7687' }], failures: [] })
const now = () => 0

describe('routing: rediscovery', () => {
  it('asks known routers first, in order, then the seed', async () => {
    const log: string[] = []
    const result = await discover(sender({ 'r1:1': refused('r1:1'), 'r2:1': good }, log), { query, knownRouters: ['r1:1', 'r2:1'], resolveSeed: seedOnly, deadline: Infinity, now })
    expect(log).to.deep.equal(['r1:1', 'r2:1'])
    expect(result.router).to.equal('r2:1')
    expect(result.failed.map(f => [f.address, f.reason])).to.deep.equal([['r1:1', 'connection lost']])
    expect(result.table.writers).to.deep.equal(['a:1'])
  })

  it('falls back to every address the seed resolves to', async () => {
    const log: string[] = []
    const seed = async () => ({ targets: [{ hostPort: 'seed:7687', resolvedHost: '10.0.0.1' }, { hostPort: 'seed:7687', resolvedHost: '10.0.0.2' }], failures: [] })
    const result = await discover(sender({ 'r1:1': refused('r1:1'), 'seed:7687(10.0.0.1)': refused('10.0.0.1'), 'seed:7687(10.0.0.2)': good }, log),
      { query, knownRouters: ['r1:1'], resolveSeed: seed, deadline: Infinity, now })
    expect(log).to.deep.equal(['r1:1', 'seed:7687(10.0.0.1)', 'seed:7687(10.0.0.2)'])
    expect(result.router).to.equal('seed:7687(10.0.0.2)')
  })

  it('skips a router whose reply is unusable and says "protocol"', async () => {
    const noReaders: RouteReply = { ttl: 300, db: 'neo4j', servers: [{ role: 'ROUTE', addresses: ['x:1'] }] }
    const result = await discover(sender({ 'r1:1': noReaders, 'seed:7687': good }, []), { query, knownRouters: ['r1:1'], resolveSeed: seedOnly, deadline: Infinity, now })
    expect(result.failed[0]?.reason).to.equal('protocol')
  })

  it('lists every router tried and why when all fail', async () => {
    const auth = newError('timeout!', 'ServiceUnavailable')
    try {
      await discover(sender({ 'r1:1': refused('r1:1'), 'r2:1': auth, 'seed:7687': refused('seed') }, []), { query, knownRouters: ['r1:1', 'r2:1'], resolveSeed: seedOnly, deadline: Infinity, now })
      expect.fail('should throw')
    } catch (error) {
      expect(error).to.be.instanceOf(DiscoveryError)
      const d = error as DiscoveryError
      expect(d.code).to.equal('ServiceUnavailable')
      expect(d.attempts.map(a => a.address)).to.deep.equal(['r1:1', 'r2:1', 'seed:7687'])
      expect(d.message).to.include('r1:1: connection lost').and.to.include('r2:1: other').and.to.include('seed:7687')
    }
  })

  it('stops at once on errors every router would repeat (auth, unknown database)', async () => {
    for (const code of ['Neo.ClientError.Security.Unauthorized', 'Neo.ClientError.Database.DatabaseNotFound']) {
      const log: string[] = []
      try {
        await discover(sender({ 'r1:1': newError('no', code as never), 'r2:1': good }, log), { query, knownRouters: ['r1:1', 'r2:1'], resolveSeed: seedOnly, deadline: Infinity, now })
        expect.fail('should throw')
      } catch (error) {
        expect(log).to.deep.equal(['r1:1'])
        expect((error as DiscoveryError).code).to.equal(code)
        expect((error as DiscoveryError).attempts[0]?.reason).to.equal(code.includes('Security') ? 'auth' : 'unknown database')
      }
    }
    expect(endsDiscovery(newError('x', 'Neo.ClientError.Security.AuthorizationExpired' as never))).to.equal(false)
  })

  it('tries nothing after the deadline and says why', async () => {
    const log: string[] = []
    let t = 0
    const slow = async (target: ConnectionTarget): Promise<RouteReply> => { log.push(target.hostPort); t = 100; throw refused(target.hostPort) }
    try {
      await discover(slow, { query, knownRouters: ['r1:1', 'r2:1'], resolveSeed: seedOnly, deadline: 50, now: () => t })
      expect.fail('should throw')
    } catch (error) {
      expect(log).to.deep.equal(['r1:1'])
      expect((error as DiscoveryError).attempts.map(a => a.reason)).to.deep.equal(['connection lost', 'timeout', 'timeout'])
    }
  })

  it('reports seed names that do not resolve', async () => {
    const seed = async () => ({ targets: [], failures: [{ address: 'nowhere:7687', error: new Error('getaddrinfo ENOTFOUND nowhere') }] })
    try {
      await discover(sender({}, []), { query, knownRouters: [], resolveSeed: seed, deadline: Infinity, now })
      expect.fail('should throw')
    } catch (error) {
      expect((error as DiscoveryError).message).to.include('nowhere:7687: dns')
    }
  })
})

describe('routing: seed resolution', () => {
  it('passes the seed through the resolver, then DNS, keeping every address', async () => {
    const lookups: string[] = []
    const lookup = async (host: string): Promise<string[]> => { lookups.push(host); return host === 'multi' ? ['10.0.0.1', '10.0.0.2'] : ['10.0.0.9'] }
    const r = await resolveSeed('cluster:7687', () => ['multi:7000', 'single', '127.0.0.1:7001'], lookup)
    expect(r.targets).to.deep.equal([
      { hostPort: 'multi:7000', resolvedHost: '10.0.0.1' },
      { hostPort: 'multi:7000', resolvedHost: '10.0.0.2' },
      { hostPort: 'single:7687' },
      { hostPort: '127.0.0.1:7001' }
    ])
    expect(lookups).to.deep.equal(['multi', 'single'])
  })

  it('records resolver and DNS failures instead of throwing', async () => {
    const r1 = await resolveSeed('s:1', () => { throw new Error('resolver broke') })
    expect(r1.targets).to.deep.equal([])
    expect(r1.failures[0]?.error.message).to.equal('resolver broke')
    const r2 = await resolveSeed('s:1', undefined, async () => { throw new Error('ENOTFOUND s') })
    expect(r2.failures[0]?.address).to.equal('s:1')
  })
})

import { expect } from 'chai'
import { HomeDatabaseCache, homeDatabaseKey } from '../../../lib/routing/home-database-cache.js'
import { fromRouteReply } from '../../../lib/routing/routing-table.js'
import { SingleFlight } from '../../../lib/routing/single-flight.js'
import { TableRegistry } from '../../../lib/routing/table-registry.js'

const table = (db: string, ttl: number, now: number, members = ['a:1', 'b:1']) => fromRouteReply({
  ttl, db, servers: [{ role: 'WRITE', addresses: [members[0] as string] }, { role: 'READ', addresses: members.slice(1) }, { role: 'ROUTE', addresses: members }]
}, null, now)

describe('routing: table registry', () => {
  it('keeps one table per database and purges long-expired ones on update', () => {
    const r = new TableRegistry(30_000)
    r.set(table('old', 1, 0), 0)
    r.set(table('live', 300, 0), 0)
    expect(r.databases().sort()).to.deep.equal(['live', 'old'])
    expect(r.set(table('new', 300, 20_000), 20_000)).to.deep.equal([]) // old expired at 1 s, purge at 31 s
    expect(r.set(table('new', 300, 31_000), 31_000)).to.deep.equal(['old'])
    expect(r.get('old')).to.equal(undefined)
  })

  it('forgets a member in every table or in one, and the writer in one', () => {
    const r = new TableRegistry(30_000)
    r.set(table('x', 300, 0, ['a:1', 'b:1', 'c:1']), 0)
    r.set(table('y', 300, 0, ['b:1', 'a:1', 'c:1']), 0)
    expect(r.forgetServer('b:1').sort()).to.deep.equal(['x', 'y'])
    expect(r.get('x')?.readers).to.deep.equal(['c:1'])
    expect(r.get('y')?.writers).to.deep.equal([])
    expect(r.forgetServer('c:1', 'x')).to.deep.equal(['x'])
    expect(r.get('y')?.readers).to.deep.equal(['a:1', 'c:1'])
    expect(r.forgetWriter('a:1', 'x')).to.deep.equal(['x'])
    expect(r.get('x')?.writers).to.deep.equal([])
    expect(r.forgetWriter('a:1', 'x')).to.deep.equal([])
    expect([...r.knownAddresses()].sort()).to.deep.equal(['a:1', 'b:1', 'c:1'])
  })
})

describe('routing: home database cache', () => {
  it('keys by impersonated user, else principal', () => {
    expect(homeDatabaseKey('bob', 'neo4j')).to.equal('impersonated:bob')
    expect(homeDatabaseKey(null, 'neo4j')).to.equal('basic:neo4j')
    expect(homeDatabaseKey(null, undefined)).to.equal('default')
  })

  it('is bounded and forgets by key or by database', () => {
    const c = new HomeDatabaseCache(2)
    c.set('a', 'db1'); c.set('b', 'db2'); c.set('c', 'db1')
    expect(c.size).to.equal(2)
    expect(c.get('a')).to.equal(undefined)
    c.forgetDatabase('db1')
    expect(c.get('c')).to.equal(undefined)
    expect(c.get('b')).to.equal('db2')
    c.forget('b')
    expect(c.size).to.equal(0)
  })
})

describe('routing: single flight', () => {
  it('shares one in-flight operation per key and starts a new one after it settles', async () => {
    const flight = new SingleFlight<string, number>()
    let calls = 0
    let release: (v: number) => void = () => {}
    const op = async (): Promise<number> => { calls++; return await new Promise<number>(resolve => { release = resolve }) }
    const all = [flight.run('db', op), flight.run('db', op), flight.run('db', op)]
    expect(flight.isRunning('db')).to.equal(true)
    release(7)
    expect(await Promise.all(all)).to.deep.equal([7, 7, 7])
    expect(calls).to.equal(1)
    expect(flight.isRunning('db')).to.equal(false)
    const again = flight.run('db', async () => { calls++; return 8 })
    expect(await again).to.equal(8)
    expect(calls).to.equal(2)
  })

  it('shares failures too, then forgets them', async () => {
    const flight = new SingleFlight<string, number>()
    const failing = async (): Promise<number> => { throw new Error('down') }
    const results = await Promise.allSettled([flight.run('k', failing), flight.run('k', failing)])
    expect(results.map(r => r.status)).to.deep.equal(['rejected', 'rejected'])
    expect(await flight.run('k', async () => 1)).to.equal(1)
  })
})

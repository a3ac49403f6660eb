import { expect } from 'chai'
import fc from 'fast-check'
import {
  allAddresses, DEFAULT_DATABASE, forgetRouter, forgetServer, forgetWriter, fromRouteReply, isPurgeable, isStaleFor, RoutingTableError, snapshot, type RouteReply
} from '../../../lib/routing/routing-table.js'

const reply = (overrides: Partial<RouteReply> = {}): RouteReply => ({
  ttl: 300,
  db: 'neo4j',
  servers: [
    { role: 'WRITE', addresses: ['s1:1'] },
    { role: 'READ', addresses: ['s2:1', 's3:1', 's4:1'] },
    { role: 'ROUTE', addresses: ['s1:1', 's2:1', 's3:1'] }
  ],
  ...overrides
})

describe('routing table: value and math', () => {
  it('builds a table with an absolute expiry', () => {
    const t = fromRouteReply(reply(), null, 1_000)
    expect(t.database).to.equal('neo4j')
    expect(t.writers).to.deep.equal(['s1:1'])
    expect(t.readers).to.deep.equal(['s2:1', 's3:1', 's4:1'])
    expect(t.expiresAt).to.equal(301_000)
    expect(snapshot(t)).to.deep.equal({ database: 'neo4j', ttl: 300, expiresAt: 301_000, routers: ['s1:1', 's2:1', 's3:1'], readers: ['s2:1', 's3:1', 's4:1'], writers: ['s1:1'] })
  })

  it('uses the requested name when the reply names no database, and the unnamed default when none was requested', () => {
    expect(fromRouteReply(reply({ db: null }), 'shipping', 0).database).to.equal('shipping')
    expect(fromRouteReply(reply({ db: null }), null, 0).database).to.equal(DEFAULT_DATABASE)
  })

  it('rejects replies without routers or readers, accepts one without writers', () => {
    expect(() => fromRouteReply(reply({ servers: [{ role: 'READ', addresses: ['a:1'] }] }), null, 0)).to.throw(RoutingTableError, /no routers/)
    expect(() => fromRouteReply(reply({ servers: [{ role: 'ROUTE', addresses: ['a:1'] }] }), null, 0)).to.throw(RoutingTableError, /no readers/)
    expect(() => fromRouteReply(reply({ ttl: -1 }), null, 0)).to.throw(RoutingTableError, /ttl/)
    const electing = fromRouteReply(reply({ servers: [{ role: 'READ', addresses: ['a:1'] }, { role: 'ROUTE', addresses: ['a:1'] }] }), null, 0)
    expect(electing.writers).to.deep.equal([])
  })

  it('is stale for a mode when expired or when it has nobody for that mode', () => {
    const t = fromRouteReply(reply(), null, 0)
    expect(isStaleFor(t, 'READ', 299_999)).to.equal(false)
    expect(isStaleFor(t, 'READ', 300_000)).to.equal(true)
    const noWriter = forgetWriter(t, 's1:1')
    expect(isStaleFor(noWriter, 'WRITE', 1)).to.equal(true)
    expect(isStaleFor(noWriter, 'READ', 1)).to.equal(false)
  })

  it('purges only after the purge delay past expiry', () => {
    const t = fromRouteReply(reply({ ttl: 10 }), null, 0)
    expect(isPurgeable(t, 10_000 + 29_999, 30_000)).to.equal(false)
    expect(isPurgeable(t, 40_000, 30_000)).to.equal(true)
  })

  it('forgetting returns a new table and never mutates the old one', () => {
    const t = fromRouteReply(reply(), null, 0)
    const f = forgetServer(t, 's2:1')
    expect(f).not.to.equal(t)
    expect(f.readers).to.deep.equal(['s3:1', 's4:1'])
    expect(f.routers).to.include('s2:1') // still asked for routing
    expect(t.readers).to.have.length(3)
    expect(forgetServer(t, 'zz:1')).to.equal(t)
    expect(forgetRouter(t, 's1:1').routers).to.deep.equal(['s2:1', 's3:1'])
    expect(forgetWriter(t, 's1:1').readers).to.deep.equal(t.readers)
  })

  it('property: forgetServer removes exactly that address from readers and writers', () => {
    const address = fc.constantFrom('a:1', 'b:1', 'c:1', 'd:1', 'e:1')
    fc.assert(fc.property(fc.uniqueArray(address, { minLength: 1 }), fc.uniqueArray(address), fc.uniqueArray(address, { minLength: 1 }), address,
      (readers, writers, routers, gone) => {
        const t = fromRouteReply({ ttl: 1, db: 'x', servers: [{ role: 'READ', addresses: readers }, { role: 'WRITE', addresses: writers }, { role: 'ROUTE', addresses: routers }] }, null, 0)
        const f = forgetServer(t, gone)
        expect(f.readers).to.deep.equal(readers.filter(a => a !== gone))
        expect(f.writers).to.deep.equal(writers.filter(a => a !== gone))
        expect(f.routers).to.deep.equal(routers)
        expect(allAddresses(f).every(a => allAddresses(t).includes(a))).to.equal(true)
      }))
  })
})

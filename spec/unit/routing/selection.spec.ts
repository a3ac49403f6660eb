import { expect } from 'chai'
import fc from 'fast-check'
import { fromRouteReply } from '../../../lib/routing/routing-table.js'
import { selectLeastConnected, selectReader, selectWriter } from '../../../lib/routing/selection.js'

describe('routing: selection', () => {
  const table = fromRouteReply({
    ttl: 300,
    db: 'neo4j',
    servers: [{ role: 'WRITE', addresses: ['leader:1'] }, { role: 'READ', addresses: ['f1:1', 'f2:1', 's1:1'] }, { role: 'ROUTE', addresses: ['leader:1'] }]
  }, null, 0)

  it('takes the least loaded reader', () => {
    const load = new Map([['f1:1', 3], ['f2:1', 1], ['s1:1', 2]])
    expect(selectReader(table, a => load.get(a) ?? 0, 0)?.address).to.equal('f2:1')
  })

  it('rotates between equally loaded readers', () => {
    let offset = 0
    const picks: string[] = []
    for (let i = 0; i < 6; i++) {
      const s = selectReader(table, () => 0, offset)
      if (s === null) throw new Error('no reader')
      picks.push(s.address)
      offset = s.nextOffset
    }
    expect(picks).to.deep.equal(['f1:1', 'f2:1', 's1:1', 'f1:1', 'f2:1', 's1:1'])
  })

  it('never sends a read to the leader unless it is listed as a reader', () => {
    for (let offset = 0; offset < 10; offset++) expect(selectReader(table, a => (a === 'leader:1' ? -100 : 5), offset)?.address).not.to.equal('leader:1')
    expect(selectWriter(table, () => 0, 7)?.address).to.equal('leader:1')
  })

  it('returns null for an empty role', () => {
    expect(selectLeastConnected([], () => 0, 0)).to.equal(null)
  })

  it('property: the pick is a listed address with the minimum load, first from the offset on ties', () => {
    fc.assert(fc.property(
      fc.uniqueArray(fc.string({ minLength: 1, maxLength: 4 }), { minLength: 1, maxLength: 8 }),
      fc.array(fc.nat(5), { minLength: 8, maxLength: 8 }),
      fc.integer({ min: -50, max: 50 }),
      (addresses, loads, offset) => {
        const load = (a: string): number => loads[addresses.indexOf(a)] ?? 0
        const s = selectLeastConnected(addresses, load, offset)
        if (s === null) throw new Error('expected a pick')
        expect(addresses).to.include(s.address)
        const min = Math.min(...addresses.map(load))
        expect(load(s.address)).to.equal(min)
        const n = addresses.length
        const start = ((offset % n) + n) % n
        const firstMin = [...Array(n).keys()].map(i => addresses[(start + i) % n] as string).find(a => load(a) === min)
        expect(s.address).to.equal(firstMin)
      }), { numRuns: 300 })
  })

  it('spreads equal-load picks evenly over many calls', () => {
    const counts = new Map<string, number>()
    let offset = 0
    for (let i = 0; i < 300; i++) {
      const s = selectReader(table, () => 0, offset)
      if (s === null) throw new Error('no reader')
      counts.set(s.address, (counts.get(s.address) ?? 0) + 1)
      offset = s.nextOffset
    }
    expect([...counts.values()]).to.deep.equal([100, 100, 100])
  })
})

// renameForSummary must give the entries bolt-connection's Bolt 3+ renaming
// gives (t_first → result_available_after, t_last → result_consumed_after),
// for any metadata, without touching the object it was given; statistics
// under core's names must make the same summary counters as the server's.
import { expect } from 'chai'
import fc from 'fast-check'
import { createRequire } from 'node:module'
import { int } from 'neo4j-driver-core'
import { renameForSummary, statisticsByCoreNames } from '../../../lib/connection/success-metadata.js'
import { rememberedName } from '../../../lib/connection/map-decoding.js'

const require = createRequire(import.meta.url)
const BoltProtocolV3 = require('neo4j-driver-bolt-connection/lib/bolt/bolt-protocol-v3.js').default as { prototype: { transformMetadata: (m: Record<string, unknown>) => Record<string, unknown> } }
const { QueryStatistics } = require('neo4j-driver-core/lib/result-summary.js') as { QueryStatistics: new (stats: unknown) => Counters }
interface Counters { updates: () => unknown, containsUpdates: () => boolean, containsSystemUpdates: () => boolean, systemUpdates: () => number }
const theirs = (metadata: Record<string, unknown>): Record<string, unknown> => BoltProtocolV3.prototype.transformMetadata.call({}, metadata)

function build (entries: Array<[string, unknown]>): Record<string, unknown> {
  const object: Record<string, unknown> = {}
  for (const [key, value] of entries) Object.defineProperty(object, key, { value, writable: true, enumerable: true, configurable: true })
  return object
}

/** Own entries sorted by key (the renaming may place a renamed timing elsewhere), and the prototype. */
function entriesOf (object: Record<string, unknown>): unknown {
  return { prototype: Object.getPrototypeOf(object) === Object.prototype, entries: Object.keys(object).sort().map(key => [key, object[key]]) }
}

const key = fc.oneof(
  fc.constantFrom('t_first', 't_last', 'result_available_after', 'result_consumed_after', 'fields', 'type', 'db', 'qid', 'has_more', '__proto__', 'toString'),
  fc.string({ maxLength: 6 })
)
const metadata = fc.uniqueArray(fc.tuple(key, fc.oneof(fc.integer(), fc.string(), fc.constant(null))), { maxLength: 8, selector: ([k]) => k })

describe('connection: SUCCESS metadata timings renamed without delete', () => {
  it('gives the entries bolt-connection\'s renaming gives, for any metadata', () => {
    fc.assert(fc.property(metadata, (entries) => {
      const given = build(entries)
      const before = entriesOf(given)
      const ours = renameForSummary(given)
      expect(entriesOf(given), 'the given object is left as it was').to.deep.equal(before)
      expect(entriesOf(ours)).to.deep.equal(entriesOf(theirs(build(entries))))
    }), { numRuns: 500 })
  })

  it('RUN and PULL answers: the summary names, fast objects; metadata without timings is passed through as is', () => {
    const run = renameForSummary({ fields: ['n'], t_first: 3, qid: 0 })
    expect(run).to.deep.equal({ fields: ['n'], result_available_after: 3, qid: 0 })
    // bolt-connection deletes fields, then qid: each is the last entry when it goes.
    expect(Object.keys(run)).to.deep.equal(['result_available_after', 'qid', 'fields'])
    const pull = renameForSummary({ type: 'r', t_last: 1, db: 'neo4j' })
    expect(pull).to.deep.equal({ type: 'r', result_consumed_after: 1, db: 'neo4j' })
    const commit = { bookmark: 'FB:1' }
    expect(renameForSummary(commit)).to.equal(commit)
  })

  it('a RUN\'s field names stay the same names in the same order, for any list, with or without timings', () => {
    const names = fc.array(fc.oneof(fc.string({ maxLength: 40 }), fc.string({ unit: 'binary', maxLength: 8 }), fc.constantFrom('n.id', 'count(*)', 'é'), fc.integer()), { maxLength: 10 })
    fc.assert(fc.property(names, fc.boolean(), (fields, timed) => {
      const given: Record<string, unknown> = timed ? { t_first: 1, fields: [...fields] } : { fields: [...fields] }
      expect(renameForSummary(given).fields).to.deep.equal(fields)
    }), { numRuns: 300 })
    for (let i = 0; i < 5000; i++) expect(rememberedName(`field${i}`)).to.equal(`field${i}`)
    expect(rememberedName('x'.repeat(100))).to.equal('x'.repeat(100))
  })

  const STATISTICS = ['nodes-created', 'nodes-deleted', 'relationships-created', 'relationships-deleted', 'properties-set', 'labels-added',
    'labels-removed', 'indexes-added', 'indexes-removed', 'constraints-added', 'constraints-removed', 'system-updates',
    'contains-updates', 'contains-system-updates']
  const statisticName = fc.oneof(
    fc.constantFrom(...STATISTICS),
    fc.constantFrom(...STATISTICS).map(name => name.replace(/-(\w)/g, (_, c: string) => c.toUpperCase())),
    fc.constantFrom('__proto__', 'toString', 'valueOf', 'db-hits', 'nodes-created-', '-x'),
    fc.string({ maxLength: 8 })
  )
  const statisticValue = fc.oneof(fc.integer({ min: 0, max: 1000 }), fc.integer({ min: 0, max: 1000 }).map(n => int(n)), fc.boolean())
  const counters = (stats: unknown): unknown => {
    const c = new QueryStatistics(stats)
    return { updates: c.updates(), containsUpdates: c.containsUpdates(), containsSystemUpdates: c.containsSystemUpdates(), systemUpdates: c.systemUpdates() }
  }

  it('statistics under core\'s names give the same counters as the server\'s names, for any statistics', () => {
    fc.assert(fc.property(fc.array(fc.tuple(statisticName, statisticValue), { maxLength: 10 }), (entries) => {
      const stats = build(entries)
      const before = entriesOf(stats)
      const metadata = build([['type', 'w'], ['stats', stats], ['t_last', 2]])
      const ours = renameForSummary(metadata)
      expect(entriesOf(stats), 'the given statistics are left as they were').to.deep.equal(before)
      expect(Object.keys(ours)).to.deep.equal(['type', 'stats', 'result_consumed_after'])
      expect(counters(ours.stats)).to.deep.equal(counters(theirs(build([['type', 'w'], ['stats', build(entries)], ['t_last', 2]])).stats))
    }), { numRuns: 500 })
  })

  it('a write\'s statistics: core\'s names in the order received; metadata with statistics alone is renamed too', () => {
    const pull = renameForSummary({ stats: { 'properties-set': int(1), 'contains-updates': true, 'db-hits': 3 }, type: 'w' })
    expect(pull).to.deep.equal({ stats: { propertiesSet: int(1), containsUpdates: true, 'db-hits': 3 }, type: 'w' })
    expect(statisticsByCoreNames(null)).to.equal(null)
    expect(statisticsByCoreNames('x')).to.equal('x')
    expect(counters(pull.stats)).to.deep.include({ containsUpdates: true })
  })
})

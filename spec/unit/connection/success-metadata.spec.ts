// renameTimings must give the entries bolt-connection's Bolt 3+ renaming
// gives (t_first → result_available_after, t_last → result_consumed_after),
// for any metadata, without touching the object it was given.
import { expect } from 'chai'
import fc from 'fast-check'
import { createRequire } from 'node:module'
import { renameTimings } from '../../../lib/connection/success-metadata.js'

const require = createRequire(import.meta.url)
const BoltProtocolV3 = require('neo4j-driver-bolt-connection/lib/bolt/bolt-protocol-v3.js').default as { prototype: { transformMetadata: (m: Record<string, unknown>) => Record<string, unknown> } }
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
      const ours = renameTimings(given)
      expect(entriesOf(given), 'the given object is left as it was').to.deep.equal(before)
      expect(entriesOf(ours)).to.deep.equal(entriesOf(theirs(build(entries))))
    }), { numRuns: 500 })
  })

  it('RUN and PULL answers: the summary names, fast objects; metadata without timings is passed through as is', () => {
    const run = renameTimings({ fields: ['n'], t_first: 3, qid: 0 })
    expect(run).to.deep.equal({ fields: ['n'], result_available_after: 3, qid: 0 })
    expect(Object.keys(run)).to.deep.equal(['fields', 'result_available_after', 'qid'])
    const pull = renameTimings({ type: 'r', t_last: 1, db: 'neo4j' })
    expect(pull).to.deep.equal({ type: 'r', result_consumed_after: 1, db: 'neo4j' })
    const commit = { bookmark: 'FB:1' }
    expect(renameTimings(commit)).to.equal(commit)
  })
})

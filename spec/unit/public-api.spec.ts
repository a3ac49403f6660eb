// Drop-in at runtime: every value the official neo4j-driver 6.3.0 exports
// (named and on its default `neo4j` object, grouping objects included) exists
// in ours with the same kind, and the ones both take from neo4j-driver-core
// are the very same object. A name ours lacks must be on DELIBERATELY_MISSING,
// which README's "Differences from neo4j-driver" section explains.

import { expect } from 'chai'
import * as official from 'neo4j-driver'
import * as ours from '../../lib/index.js'
import oursDefault from '../../lib/index.js'

/** Official names ours does not export, each with the reason (README: Differences from neo4j-driver). */
const DELIBERATELY_MISSING: Record<string, string> = {}

/**
 * Ours, not core's: our own implementations (driver, sessions, reactive API,
 * retry classification, grouping objects with extra members). Everything else
 * the official package exports must be the identical neo4j-driver-core value.
 */
const OWN_IMPLEMENTATIONS = new Set([
  'driver', 'Driver', 'hasReachableServer', 'Session', 'Transaction', 'ManagedTransaction', 'RxSession', 'RxTransaction',
  'RxManagedTransaction', 'RxResult', 'bookmarkManager', 'logging', 'isRetryableError', 'isRetriableError', 'error', 'types', 'session',
  'integer', 'spatial', 'temporal', 'graph'
])

const officialNamed = official as unknown as Record<string, unknown>
const officialDefault = (official as unknown as { default: Record<string, unknown> }).default
const oursNamed = ours as unknown as Record<string, unknown>
const oursAll = oursDefault as unknown as Record<string, unknown>

/** Official names with a runtime value (some are type-only and exported as undefined). */
function runtimeNames (module: Record<string, unknown>): string[] {
  return Object.keys(module).filter(name => name !== 'default' && name !== '__esModule' && module[name] !== undefined).sort()
}

function kind (value: unknown): string {
  return value === null ? 'null' : typeof value
}

describe('public API: the official neo4j-driver 6.3.0 surface, name by name', () => {
  it('every named runtime export of the official package exists in ours with the same kind', () => {
    const missing = runtimeNames(officialNamed).filter(name => !(name in oursNamed) && !(name in DELIBERATELY_MISSING))
    expect(missing, 'official exports missing from ours (add them, or list and explain them)').to.deep.equal([])
    for (const name of runtimeNames(officialNamed)) {
      if (name in DELIBERATELY_MISSING) continue
      expect(kind(oursNamed[name]), name).to.equal(kind(officialNamed[name]))
    }
  })

  it('every member of the official default `neo4j` object exists on ours', () => {
    const missing = runtimeNames(officialDefault).filter(name => !(name in oursAll) && !(name in DELIBERATELY_MISSING))
    expect(missing).to.deep.equal([])
  })

  it('our default object holds every named value export, the same values', () => {
    for (const name of runtimeNames(oursNamed)) expect(oursAll[name], name).to.equal(oursNamed[name])
  })

  it("values both packages take from neo4j-driver-core are the identical objects (instanceof and codes agree)", () => {
    const shared = runtimeNames(officialNamed).filter(name => !OWN_IMPLEMENTATIONS.has(name) && !(name in DELIBERATELY_MISSING))
    const different = shared.filter(name => oursNamed[name] !== officialNamed[name])
    expect(different, 'exports that should be re-exported from neo4j-driver-core').to.deep.equal([])
  })

  it('the grouping objects have every official member (with the same value where the official takes it from core)', () => {
    for (const group of ['types', 'error', 'session', 'integer', 'spatial', 'temporal', 'graph', 'routing', 'auth', 'logging']) {
      const theirs = officialNamed[group] as Record<string, unknown>
      const mine = oursNamed[group] as Record<string, unknown>
      for (const member of Object.keys(theirs).filter(m => theirs[m] !== undefined)) {
        expect(mine, `${group}.${member}`).to.have.property(member)
        expect(kind(mine[member]), `${group}.${member}`).to.equal(kind(theirs[member]))
        // logging.console is ours (its own output format); every other member is core's value or a constant.
        if (group !== 'logging') expect(mine[member], `${group}.${member}`).to.equal(theirs[member])
      }
    }
  })

  it('types also carries what the official typings promise there: the Rx classes and UUID', () => {
    expect(ours.types.RxSession).to.equal(ours.RxSession)
    expect(ours.types.RxTransaction).to.equal(ours.RxTransaction)
    expect(ours.types.RxManagedTransaction).to.equal(ours.RxManagedTransaction)
    expect(ours.types.RxResult).to.equal(ours.RxResult)
    expect(ours.types.UUID).to.equal(official.UUID)
  })

  it('the driver has every method of the official Driver', () => {
    const officialMethods = Object.getOwnPropertyNames(official.Driver.prototype)
      .concat(Object.getOwnPropertyNames(Object.getPrototypeOf(official.Driver.prototype)))
      .filter(name => !name.startsWith('_') && name !== 'constructor')
    const d = ours.driver('neo4j://127.0.0.1:1', ours.auth.basic('neo4j', 'pw'))
    try {
      const lacking = [...new Set(officialMethods)].filter(name => !(name in d))
      expect(lacking).to.deep.equal([])
      expect(typeof d[Symbol.asyncDispose]).to.equal('function')
    } finally {
      void d.close()
    }
  })

  it('sessions, transactions and Rx classes have every public method of the official ones', () => {
    const publicMethods = (proto: object): string[] => Object.getOwnPropertyNames(proto).filter(n => !n.startsWith('_') && n !== 'constructor')
    const pairs: Array<[string, object, object]> = [
      ['Session', official.Session.prototype, ours.Session.prototype],
      ['Transaction', official.Transaction.prototype, ours.Transaction.prototype],
      ['ManagedTransaction', official.ManagedTransaction.prototype, ours.ManagedTransaction.prototype],
      ['RxSession', official.RxSession.prototype, ours.RxSession.prototype],
      ['RxTransaction', official.RxTransaction.prototype, ours.RxTransaction.prototype],
      ['RxManagedTransaction', official.RxManagedTransaction.prototype, ours.RxManagedTransaction.prototype],
      ['RxResult', official.RxResult.prototype, ours.RxResult.prototype]
    ]
    for (const [name, theirs, mine] of pairs) {
      const lacking = publicMethods(theirs).filter(method => !(method in mine))
      expect(lacking, name).to.deep.equal([])
    }
    // The one underscore method the official RxResult documents as a shape callers rely on.
    expect(typeof ours.RxResult.prototype._toObservable).to.equal('function')
  })
})

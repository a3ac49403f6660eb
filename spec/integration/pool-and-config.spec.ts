// Pool hygiene against a cluster, and bad URLs / config values through the
// public driver() call.

import { expect } from 'chai'
import neo4j, { ConfigurationError, Neo4jError } from '../../lib/index.js'
import { inParallel, startTarget, type Target } from './helpers.js'

describe('integration: pool hygiene', function () {
  this.timeout(180_000)
  let target: Target
  before(async () => { target = await startTarget() })
  after(async () => { await target?.close() })

  it('zero connections in use after 10 000 sessions (reads, writes, transactions, abandoned results, failures)', async () => {
    const d = target.driver({ maxConnectionPoolSize: 10 })
    const kinds = ['read', 'write-tx', 'abandoned', 'failure', 'explicit-rollback'] as const
    await inParallel(Array.from({ length: 10_000 }, (_, i) => i), 16, async (i) => {
      const kind = kinds[i % kinds.length]
      const session = d.session({ database: 'neo4j', defaultAccessMode: kind === 'read' ? 'READ' : 'WRITE' })
      try {
        if (kind === 'read') await session.executeRead(tx => tx.run('RETURN 1'))
        else if (kind === 'write-tx') await session.executeWrite(tx => tx.run('MERGE (:Counter {id: $id})', { id: i % 7 }))
        else if (kind === 'abandoned') session.run('UNWIND range(1, 100) AS x RETURN x')
        else if (kind === 'failure') await session.run('THIS IS NOT CYPHER').catch(() => {})
        else { const tx = await session.beginTransaction(); await tx.run('RETURN 1'); await tx.rollback() }
      } finally {
        await session.close()
      }
    })
    const stats = d.poolStats()
    expect(stats.inUse).to.equal(0)
    expect(stats.waiting).to.equal(0)
    for (const member of stats.members) expect(member.idle).to.be.at.most(10)
  })
})

describe('integration: bad URLs and config values fail at driver() with clear messages', () => {
  const auth = neo4j.auth.basic('neo4j', 'password123')
  const cases: Array<[string, () => unknown, RegExp]> = [
    ['unknown scheme', () => neo4j.driver('http://localhost:7474', auth), /unsupported URL scheme 'http:\/\/'/],
    ['no scheme', () => neo4j.driver('localhost:7687', auth), /has no scheme/],
    ['bad port', () => neo4j.driver('neo4j://localhost:123456', auth), /port|valid URL/],
    ['routing context on bolt://', () => neo4j.driver('bolt://localhost?region=eu', auth), /does not route/],
    ['wrong type', () => neo4j.driver('neo4j://localhost', auth, { connectionTimeout: '5s' } as never), /'connectionTimeout' must be a number/],
    ['negative budget', () => neo4j.driver('neo4j://localhost', auth, { maxTransactionRetryTime: -1 }), /'maxTransactionRetryTime' must be a finite number/],
    ['encryption twice', () => neo4j.driver('neo4j+s://localhost', auth, { encrypted: true }), /already sets encryption/],
    ['bad auth', () => neo4j.driver('neo4j://localhost', { principal: 'neo4j' } as never), /'scheme'/],
    ['bad session option', () => neo4j.driver('neo4j://localhost', auth).session({ fetchSize: '10' } as never), /^Invalid session configuration: session option 'fetchSize'/],
    ['bad access mode', () => neo4j.driver('neo4j://localhost', auth).session({ defaultAccessMode: 'r' as never }), /'READ' or 'WRITE'/]
  ]
  for (const [what, make, message] of cases) {
    it(what, () => {
      expect(make).to.throw(ConfigurationError, message)
      try { make() } catch (error) { expect(error).to.be.instanceOf(Neo4jError) }
    })
  }

  it('unknown options are ignored (as the official driver ignores them) with a did-you-mean warning in the log', async () => {
    const lines: string[] = []
    const d = neo4j.driver('neo4j://localhost', auth, { maxTransactionRetryTme: 5, logging: { level: 'warn', logger: (_level: string, message: string) => lines.push(message) } } as never)
    d.session({ databse: 'neo4j' } as never)
    await d.close()
    expect(lines).to.deep.equal([
      "[driver] ignoring unknown driver option 'maxTransactionRetryTme' (did you mean 'maxTransactionRetryTime'?)",
      "[driver] ignoring unknown session option 'databse' (did you mean 'database'?)"
    ])
  })

  it('bad executeQuery options fail before touching the network', async () => {
    const d = neo4j.driver('neo4j://127.0.0.1:1', auth)
    try {
      const error = await d.executeQuery('RETURN 1', {}, { routing: 'READS' } as never).catch(e => e)
      expect(error).to.be.instanceOf(ConfigurationError)
      expect(error.message).to.include("'routing'")
      const error2 = await d.executeQuery('RETURN 1', {}, { transactionConfig: { timeout: -5 } }).catch(e => e)
      expect(error2.message).to.match(/^Invalid transaction configuration: transaction option 'timeout'/)
    } finally {
      await d.close()
    }
  })
})

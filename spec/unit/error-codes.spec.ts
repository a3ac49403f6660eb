// Every error a user can meet has a stable code (never core's 'N/A' default),
// and README's error table lists every exported error class and code: the
// errors the public API throws without a server are provoked here one by one;
// the transaction-state ones over a fake connection provider.

import { expect } from 'chai'
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { internal, ProtocolVersion } from 'neo4j-driver-core'
import neo4j, { Neo4jError } from '../../lib/index.js'
import type { PooledConnection } from '../../lib/connection/pooled-connection.js'
import { silentLog } from '../../lib/log.js'
import type { ConnectionProvider } from '../../lib/routing/provider.js'
import { Session } from '../../lib/session/session.js'
import { resolveSessionConfig } from '../../lib/session/session-config.js'

const readme = readFileSync(path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../README.md'), 'utf8')
const errorTable = readme.slice(readme.indexOf('### Errors'), readme.indexOf('### Observability'))

/** A connection whose every request succeeds at once. */
function fakeProvider (): ConnectionProvider<PooledConnection> {
  const answered = (): unknown => ({ subscribe: ({ onCompleted }: { onCompleted: (m: unknown) => void }) => { queueMicrotask(() => onCompleted({})) } })
  const connection = {
    address: 'm1:7687',
    beginTransaction: answered,
    commitTransaction: answered,
    rollbackTransaction: answered,
    run: () => new internal.observer.CompletedObserver(),
    getProtocolVersion: () => new ProtocolVersion(5, 7),
    release: async () => {}
  } as unknown as PooledConnection
  return {
    acquire: async () => ({ connection, database: 'neo4j' }),
    onError: () => {},
    routingTable: () => undefined,
    refreshRoutingTable: async () => { throw new Error('not in this spec') },
    serverInfo: async () => { throw new Error('not in this spec') },
    verifyAuthentication: async () => { throw new Error('not in this spec') },
    close: async () => {}
  }
}

function session (): Session {
  return new Session({
    provider: fakeProvider(),
    fetchSize: 1000,
    acquisitionTimeout: 5_000,
    retryPolicy: { budgetMs: 0, initialDelayMs: 1, multiplier: 1, maxDelayMs: 1, jitter: 0 },
    log: silentLog
  }, resolveSessionConfig({ database: 'neo4j' }))
}

async function thrown (action: () => unknown): Promise<unknown> {
  try {
    await action()
  } catch (error) {
    return error
  }
  throw new Error('expected a throw')
}

describe('errors: every error a user can meet has a stable, documented code', () => {
  const documentedCodes = Object.values(neo4j.error)

  it('every exported error class and every code in neo4j.error is in README\'s error table', () => {
    const classes = Object.entries(neo4j).filter(([, value]) => typeof value === 'function' && (value === Neo4jError || value.prototype instanceof Neo4jError)).map(([name]) => name)
    expect(classes).to.include.members(['Neo4jError', 'ConfigurationError', 'DiscoveryError', 'RetriesExhaustedError', 'CommitOutcomeUnknownError', 'AcquisitionTimeoutError'])
    for (const name of classes) expect(errorTable, name).to.include(`| \`${name}\` |`)
    for (const code of documentedCodes) expect(errorTable, code).to.include(`\`${code}\``)
  })

  const cases: Array<[string, () => Promise<unknown>]> = [
    ['a bad URL', async () => await thrown(() => neo4j.driver('http://localhost:7474'))],
    ['a bad driver option', async () => await thrown(() => neo4j.driver('bolt://localhost:1', undefined, { fetchSize: 0 }))],
    ['a bad bookmarkManager option', async () => await thrown(() => neo4j.bookmarkManager({ initial: [] } as never))],
    ['a closed driver', async () => {
      const d = neo4j.driver('bolt://localhost:1')
      await d.close()
      return await thrown(() => d.session())
    }],
    ['refreshRoutingTable on bolt://', async () => {
      const d = neo4j.driver('bolt://localhost:1')
      try { return await thrown(async () => await d.refreshRoutingTable()) } finally { await d.close() }
    }],
    ['a closed session', async () => {
      const s = session()
      await s.close()
      return await thrown(() => s.run('RETURN 1'))
    }],
    ['a transaction function that is not a function', async () => await thrown(async () => await session().executeRead('RETURN 1' as never))],
    ['a run while a transaction is open', async () => {
      const s = session()
      await s.beginTransaction()
      return await thrown(() => s.run('RETURN 1'))
    }],
    ['a commit after a commit', async () => {
      const tx = await session().beginTransaction()
      await tx.commit()
      return await thrown(async () => await tx.commit())
    }],
    ['a rollback after a commit', async () => {
      const tx = await session().beginTransaction()
      await tx.commit()
      return await thrown(async () => await tx.rollback())
    }],
    ['a run after a rollback', async () => {
      const tx = await session().beginTransaction()
      await tx.rollback()
      return await thrown(() => tx.run('RETURN 1'))
    }]
  ]
  for (const [what, provoke] of cases) {
    it(`${what}: a Neo4jError with a code from neo4j.error`, async () => {
      const error = await provoke()
      expect(error).to.be.instanceOf(Neo4jError)
      const code = (error as Neo4jError).code
      expect(code).to.not.equal('N/A')
      expect(documentedCodes, `${what}: ${String(code)}`).to.include(code)
    })
  }
})

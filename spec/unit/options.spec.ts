// Options as the official driver treats them: an unknown key is ignored (with
// a warning here: logged through the driver's logging config and published on
// the diagnostics warning channel, once per driver), while a wrong value of a
// known key throws a ConfigurationError worded for where it was given.

import { expect } from 'chai'
import diagnosticsChannel from 'node:diagnostics_channel'
import { int } from 'neo4j-driver-core'
import { bookmarkManager } from '../../lib/bookmarks/bookmark-manager.js'
import { ConfigurationError } from '../../lib/errors.js'
import neo4j, { type LogLevel, type WarningEvent } from '../../lib/index.js'
import { createLog } from '../../lib/log.js'
import { resolveQueryConfig } from '../../lib/session/query-config.js'
import { resolveSessionConfig, resolveTransactionConfig } from '../../lib/session/session-config.js'

function capture (): { log: ReturnType<typeof createLog>, lines: string[] } {
  const lines: string[] = []
  return { log: createLog({ level: 'warn', logger: (level: LogLevel, message: string) => { lines.push(`${level} ${message}`) } }), lines }
}

function rejection (fn: () => unknown): ConfigurationError {
  try {
    fn()
  } catch (error) {
    expect(error).to.be.instanceOf(ConfigurationError)
    return error as ConfigurationError
  }
  throw new Error('expected a ConfigurationError')
}

/** Warnings published on the diagnostics channel while `fn` runs. */
function published (fn: () => void): string[] {
  const messages: string[] = []
  const listener = (message: unknown): void => { messages.push((message as WarningEvent).message) }
  diagnosticsChannel.subscribe(neo4j.diagnosticsChannels.clusterWarning, listener)
  try {
    fn()
  } finally {
    diagnosticsChannel.unsubscribe(neo4j.diagnosticsChannels.clusterWarning, listener)
  }
  return messages
}

describe('options: unknown keys are ignored with a warning, bad values of known keys throw', () => {
  it('driver(): neogma passes { database } through; the driver starts and says where the option belongs', async () => {
    const { lines } = capture()
    const messages = published(() => {
      const d = neo4j.driver('neo4j://127.0.0.1:1', neo4j.auth.basic('neo4j', 'pw'), {
        database: 'neo4j', logging: { level: 'warn', logger: (level: LogLevel, message: string) => { lines.push(`${level} ${message}`) } }
      } as never)
      void d.close()
    })
    expect(lines).to.deep.equal([
      "warn [driver] ignoring unknown driver option 'database': it is an option of driver.session(config) and of executeQuery's config, not of driver(url, auth, config)"
    ])
    expect(messages).to.deep.equal([lines[0]?.replace('warn [driver] ', '')])
  })

  it('session: an unknown key is warned about once per driver, with a did-you-mean', () => {
    const { log, lines } = capture()
    const messages = published(() => {
      for (let i = 0; i < 3; i++) expect(resolveSessionConfig({ databse: 'neo4j' }, log).database).to.equal(null)
    })
    expect(lines).to.deep.equal(["warn [driver] ignoring unknown session option 'databse' (did you mean 'database'?)"])
    expect(messages).to.have.length(1)
  })

  it('session: a driver option given to a session is named as such', () => {
    const { log, lines } = capture()
    resolveSessionConfig({ maxTransactionRetryTime: 5 }, log)
    expect(lines[0]).to.include("it is an option of driver(url, auth, config), not of driver.session(config)")
  })

  it('session: bookmarks may be a string, a list or lists of lists, flattened and de-duplicated', () => {
    expect(resolveSessionConfig({ bookmarks: 'a' }).bookmarks).to.deep.equal(['a'])
    expect(resolveSessionConfig({ bookmarks: ['a', 'b', 'a'] }).bookmarks).to.deep.equal(['a', 'b'])
    expect(resolveSessionConfig({ bookmarks: [['a'], ['b', 'a'], 'c'] }).bookmarks).to.deep.equal(['a', 'b', 'c'])
    expect(resolveSessionConfig({ bookmarks: [] }).bookmarks).to.deep.equal([])
  })

  it('session: a bad value names the session option, and is not called a driver configuration error', () => {
    const bad = rejection(() => resolveSessionConfig({ bookmarks: [['a', 1]] }))
    expect(bad.key).to.equal('bookmarks')
    expect(bad.scope).to.equal('session')
    expect(bad.message).to.match(/^Invalid session configuration: session option 'bookmarks' must be/)
    expect(bad.message).not.to.include('driver configuration')
    expect(rejection(() => resolveSessionConfig({ bookmarks: 42 })).message).to.include('the number 42')
    expect(rejection(() => resolveSessionConfig({ fetchSize: 0 })).message).to.match(/^Invalid session configuration: session option 'fetchSize'/)
    expect(resolveSessionConfig({ auth: neo4j.auth.basic('a', 'b') }).auth).to.deep.include({ scheme: 'basic', principal: 'a' })
    const badAuth = rejection(() => resolveSessionConfig({ auth: 'a:secret' }))
    expect(badAuth.key).to.equal('auth')
    expect(badAuth.message).not.to.include('secret')
    expect(rejection(() => resolveSessionConfig({ auth: neo4j.authTokenManagers.basic({ tokenProvider: async () => neo4j.auth.basic('a', 'b') }) })).message)
      .to.match(/not a token manager/)
  })

  it('transaction: unknown keys warned about; timeout takes numbers (rounded up), Integers and bigints; bad values rejected', () => {
    const { log, lines } = capture()
    const { txConfig, idempotent } = resolveTransactionConfig({ timeout: 1500.2, metadata: { app: 'x' }, timout: 5 }, log)
    expect(lines).to.deep.equal(["warn [driver] ignoring unknown transaction option 'timout' (did you mean 'timeout'?)"])
    expect(txConfig.timeout?.toNumber()).to.equal(1501)
    expect(idempotent).to.equal(false)
    expect(resolveTransactionConfig({ timeout: 10n }).txConfig.timeout?.toNumber()).to.equal(10)
    expect(resolveTransactionConfig({ timeout: int(7) }).txConfig.timeout?.toNumber()).to.equal(7)
    const bad = rejection(() => resolveTransactionConfig({ timeout: -1 }))
    expect(bad.message).to.match(/^Invalid transaction configuration: transaction option 'timeout'/)
    expect(rejection(() => resolveTransactionConfig({ metadata: 'x' })).key).to.equal('metadata')
  })

  it('transaction: idempotent and pipelineBegin are booleans, off unless given, and never sent with BEGIN', () => {
    const { log, lines } = capture()
    const resolved = resolveTransactionConfig({ idempotent: true, pipelineBegin: true }, log)
    expect(lines).to.deep.equal([])
    expect([resolved.idempotent, resolved.pipelineBegin]).to.deep.equal([true, true])
    expect(resolved.txConfig.isEmpty()).to.equal(true)
    expect(resolveTransactionConfig({}).pipelineBegin).to.equal(false)
    expect(resolveTransactionConfig(undefined).pipelineBegin).to.equal(false)
    const bad = rejection(() => resolveTransactionConfig({ pipelineBegin: 'yes' }))
    expect(bad.key).to.equal('pipelineBegin')
    expect(bad.message).to.equal("Invalid transaction configuration: transaction option 'pipelineBegin' must be a boolean, got the string 'yes'")
    expect(rejection(() => resolveTransactionConfig({ idempotent: 1 })).key).to.equal('idempotent')
  })

  it('executeQuery: unknown keys warned about, bad values rejected before any network use', () => {
    const { log, lines } = capture()
    const manager = bookmarkManager()
    const resolved = resolveQueryConfig({ routing: 'READ', databse: 'neo4j' }, manager, log)
    expect(resolved.routing).to.equal('READ')
    expect(resolved.bookmarkManager).to.equal(manager)
    expect(lines).to.deep.equal(["warn [driver] ignoring unknown executeQuery option 'databse' (did you mean 'database'?)"])
    expect(resolveQueryConfig({ bookmarkManager: null }, manager).bookmarkManager).to.equal(undefined)
    expect(rejection(() => resolveQueryConfig({ routing: 'READS' }, manager)).message).to.match(/^Invalid executeQuery configuration: executeQuery option 'routing'/)
    expect(rejection(() => resolveQueryConfig({ database: 5 }, manager)).key).to.equal('database')
    expect(resolveQueryConfig({ auth: neo4j.auth.basic('a', 'b') }, manager).auth).to.deep.include({ scheme: 'basic', principal: 'a' })
    expect(rejection(() => resolveQueryConfig({ auth: { principal: 'a' } }, manager)).message).to.match(/'auth' needs a 'scheme'/)
    expect(rejection(() => resolveQueryConfig({ signal: new AbortController().signal }, manager)).message).to.match(/not supported yet/)
  })
})

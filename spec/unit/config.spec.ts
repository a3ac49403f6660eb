import { expect } from 'chai'
import fc from 'fast-check'
import { DEFAULTS, resolveConfig, validateAuthToken } from '../../lib/config.js'
import { ConfigurationError } from '../../lib/errors.js'
import { normalizeAddress, parseUrl, splitHostPort } from '../../lib/url.js'
import { auth, authTokenManagers, Neo4jError } from 'neo4j-driver-core'

function configError (fn: () => unknown): ConfigurationError {
  try {
    fn()
  } catch (error) {
    expect(error).to.be.instanceOf(ConfigurationError)
    expect(error).to.be.instanceOf(Neo4jError)
    return error as ConfigurationError
  }
  throw new Error('expected a ConfigurationError')
}

describe('config: URL parsing', () => {
  const cases: Array<[string, boolean, boolean | undefined, string | undefined]> = [
    ['neo4j://db.example.com:7688', true, undefined, undefined],
    ['neo4j+s://db.example.com', true, true, 'TRUST_SYSTEM_CA_SIGNED_CERTIFICATES'],
    ['neo4j+ssc://db.example.com', true, true, 'TRUST_ALL_CERTIFICATES'],
    ['bolt://127.0.0.1:7687', false, undefined, undefined],
    ['bolt+s://127.0.0.1', false, true, 'TRUST_SYSTEM_CA_SIGNED_CERTIFICATES'],
    ['bolt+ssc://127.0.0.1', false, true, 'TRUST_ALL_CERTIFICATES']
  ]
  for (const [url, routing, encrypted, trust] of cases) {
    it(`${url}: routing=${String(routing)} encrypted=${String(encrypted)}`, () => {
      const parsed = parseUrl(url)
      expect(parsed.routing).to.equal(routing)
      expect(parsed.encrypted).to.equal(encrypted)
      expect(parsed.trust).to.equal(trust)
    })
  }

  it('defaults the port to 7687 and keeps IPv6 brackets in host:port', () => {
    expect(parseUrl('neo4j://localhost').hostPort).to.equal('localhost:7687')
    expect(parseUrl('neo4j://[::1]:9000').hostPort).to.equal('[::1]:9000')
    expect(parseUrl('NEO4J://Host:1').scheme).to.equal('neo4j')
  })

  it('takes the routing context from the query string', () => {
    expect(parseUrl('neo4j://h:1?policy=eu&region=west').routingContext).to.deep.equal({ policy: 'eu', region: 'west' })
  })

  it('rejects a routing context on bolt:// and reserved or duplicate keys', () => {
    expect(configError(() => parseUrl('bolt://h:1?policy=x')).message).to.match(/does not route/)
    expect(configError(() => parseUrl('neo4j://h:1?address=x')).message).to.match(/reserved/)
    expect(configError(() => parseUrl('neo4j://h:1?a=1&a=2')).message).to.match(/twice/)
  })

  it('names what is wrong with a malformed URL', () => {
    expect(configError(() => parseUrl('http://h')).message).to.match(/unsupported URL scheme 'http:\/\/'/)
    expect(configError(() => parseUrl('localhost:7687')).message).to.match(/no scheme/)
    expect(configError(() => parseUrl('neo4j://h:99999')).message).to.match(/valid URL|invalid port/)
    expect(configError(() => parseUrl('neo4j://user:pw@h')).message).to.match(/credentials/)
    expect(configError(() => parseUrl('neo4j://h:1/db')).message).to.match(/path/)
    expect(configError(() => parseUrl('')).key).to.equal('url')
    expect(configError(() => parseUrl(42)).message).to.match(/non-empty string/)
  })

  it('never leaks the password of a URL into the error', () => {
    expect(configError(() => parseUrl('neo4j://neo4j:s3cr3t@h')).message).not.to.include('s3cr3t')
  })

  it('any string either parses or fails with a ConfigurationError (never anything else)', () => {
    fc.assert(fc.property(fc.oneof(fc.string(), fc.webUrl(), fc.constantFrom('neo4j://', 'bolt+s://', 'neo4j://[', 'neo4j://h:0')), (text) => {
      try {
        const parsed = parseUrl(text)
        expect(parsed.port).to.be.within(1, 65535)
      } catch (error) {
        expect(error).to.be.instanceOf(ConfigurationError)
      }
    }), { numRuns: 500 })
  })

  it('normalizes resolver output', () => {
    expect(normalizeAddress('h')).to.equal('h:7687')
    expect(normalizeAddress('h:1')).to.equal('h:1')
    expect(normalizeAddress('::1')).to.equal('[::1]:7687')
    expect(normalizeAddress('[::1]')).to.equal('[::1]:7687')
    expect(splitHostPort('[::1]:5')).to.deep.equal({ host: '::1', port: 5 })
  })
})

describe('config: options', () => {
  const url = 'neo4j://localhost:7687'

  it('fills the documented defaults', () => {
    const c = resolveConfig(url)
    expect(c.maxTransactionRetryTime).to.equal(30_000)
    expect(c.connectionTimeout).to.equal(30_000)
    expect(c.maxConnectionPoolSize).to.equal(100)
    expect(c.connectionAcquisitionTimeout).to.equal(60_000)
    expect(c.fetchSize).to.equal(1000)
    expect(c.encrypted).to.equal(false)
    expect(c.retry).to.deep.equal(DEFAULTS.retry)
    expect(c.retry.initialDelay).to.be.below(1000)
    expect(c.unresponsiveProbeAfter).to.equal(500)
    expect(resolveConfig(url, { unresponsiveProbeAfter: 0 }).unresponsiveProbeAfter).to.equal(0)
  })

  it('keeps given values', () => {
    const c = resolveConfig(url, { maxTransactionRetryTime: 60_000, connectionTimeout: 5_000, maxConnectionPoolSize: 100, retry: { initialDelay: 10 } })
    expect(c.maxTransactionRetryTime).to.equal(60_000)
    expect(c.connectionTimeout).to.equal(5_000)
    expect(c.retry.initialDelay).to.equal(10)
    expect(c.retry.multiplier).to.equal(DEFAULTS.retry.multiplier)
  })

  it('ignores an unknown key, as the official driver does, with a warning that suggests the closest one', () => {
    const c = resolveConfig(url, { maxConectionPoolSize: 5 })
    expect(c.maxConnectionPoolSize).to.equal(DEFAULTS.maxConnectionPoolSize)
    expect(c.warnings).to.deep.equal(["ignoring unknown driver option 'maxConectionPoolSize' (did you mean 'maxConnectionPoolSize'?)"])
  })

  it("says where an option of another scope belongs (neogma passes { database } to driver())", () => {
    expect(resolveConfig(url, { database: 'neo4j' } as never).warnings).to.deep.equal([
      "ignoring unknown driver option 'database': it is an option of driver.session(config) and of executeQuery's config, not of driver(url, auth, config)"
    ])
    expect(resolveConfig(url, { routing: 'READ' } as never).warnings[0]).to.match(/it is an option of executeQuery's config/)
  })

  const wrong: Array<[string, unknown]> = [
    ['maxTransactionRetryTime', '60s'], ['maxTransactionRetryTime', -1], ['connectionTimeout', 'x'],
    ['maxConnectionPoolSize', 0], ['maxConnectionPoolSize', 1.5], ['connectionAcquisitionTimeout', 0],
    ['fetchSize', 0], ['fetchSize', 2.5], ['encrypted', 'yes'], ['trust', 'TRUST_ME'], ['useBigInt', 1],
    ['resolver', 'dns'], ['userAgent', ''], ['logging', { logger: 'console' }], ['retry', { initialDelay: -5 }],
    ['retry', { multiplier: 0.5 }], ['retry', { jitter: 2 }], ['connectionLivenessCheckTimeout', -1], ['trustedCertificates', 'ca.pem'],
    ['unresponsiveProbeAfter', -1], ['unresponsiveProbeAfter', '1s'], ['unresponsiveProbeAfter', Infinity]
  ]
  for (const [key, value] of wrong) {
    it(`rejects ${key} = ${JSON.stringify(value)} with a message naming '${key}'`, () => {
      const error = configError(() => resolveConfig(url, { [key]: value }))
      expect(error.key.startsWith(key)).to.equal(true)
      expect(error.message).to.include(key)
    })
  }

  it('ignores unknown nested keys with a warning, and still rejects unsupported official options', () => {
    const c = resolveConfig(url, { retry: { delay: 5 }, logging: { logger: () => {}, levle: 'debug' } } as never)
    expect(c.retry).to.deep.equal(DEFAULTS.retry)
    expect(c.warnings).to.deep.equal([
      "ignoring unknown driver option 'retry.delay'",
      "ignoring unknown driver option 'logging.levle' (did you mean 'logging.level'?)"
    ])
    expect(configError(() => resolveConfig(url, { clientCertificate: { certfile: 5, keyfile: 'k.pem' } as never })).message)
      .to.match(/'clientCertificate' must be a client certificate/)
    expect(configError(() => resolveConfig(url, { clientCertificate: { keyfile: 'k.pem', password: 'hunter2' } as never })).message).not.to.include('hunter2')
    expect(resolveConfig(url, { clientCertificate: { certfile: 'c.pem', keyfile: 'k.pem' } }).clientCertificate).to.have.property('getClientCertificate')
    expect(configError(() => resolveConfig(url, { encryptionProfiles: [] })).message).to.match(/not supported/)
    expect(resolveConfig(url, { boltAgent: {} } as never).warnings[0]).to.match(/ignoring driver option 'boltAgent': the bolt agent is set by the driver/)
  })

  it("takes the official logging config as neo4j.logging.console() builds it (unredactDebugLogs included)", () => {
    const c = resolveConfig(url, { logging: { level: 'debug', logger: () => {}, unredactDebugLogs: true } })
    expect(c.warnings).to.deep.equal([])
    expect(configError(() => resolveConfig(url, { logging: { logger: () => {}, unredactDebugLogs: 'yes' } } as never)).key).to.equal('logging.unredactDebugLogs')
  })

  it('words a driver error as a driver configuration error', () => {
    const error = configError(() => resolveConfig(url, { fetchSize: 0 }))
    expect(error.message).to.match(/^Invalid driver configuration: /)
    expect(error.scope).to.equal('driver')
  })

  it('rejects contradictions', () => {
    expect(configError(() => resolveConfig('neo4j+s://h', { encrypted: true })).message).to.match(/already sets encryption/)
    expect(configError(() => resolveConfig(url, { useBigInt: true, disableLosslessIntegers: true })).key).to.equal('useBigInt')
    expect(configError(() => resolveConfig(url, [] as unknown as object)).key).to.equal('config')
  })

  it('maps negative pool size to unlimited and non-positive lifetime to none', () => {
    const c = resolveConfig(url, { maxConnectionPoolSize: -1, maxConnectionLifetime: 0 })
    expect(c.maxConnectionPoolSize).to.equal(Infinity)
    expect(c.maxConnectionLifetime).to.equal(Infinity)
  })

  it('validates auth tokens without echoing credentials', () => {
    validateAuthToken({ scheme: 'basic', principal: 'neo4j', credentials: 'pw' })
    validateAuthToken(undefined)
    const error = configError(() => validateAuthToken({ scheme: 'basic', principal: 'neo4j', credentials: 12345678 }))
    expect(error.message).not.to.include('12345678')
    expect(configError(() => validateAuthToken('neo4j/pw')).message).not.to.include('pw')
    expect(configError(() => validateAuthToken({ getToken: () => ({}) })).message).to.match(/handleSecurityException/)
    validateAuthToken(authTokenManagers.bearer({ tokenProvider: async () => ({ token: auth.bearer('t') }) }))
    validateAuthToken({ getToken: async () => auth.basic('a', 'b'), handleSecurityException: () => false })
  })
})

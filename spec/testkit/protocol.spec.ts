// The backend over TCP without a database: harness requests, framing in odd
// pieces, errors for everything it cannot do, per-connection isolation.

import { expect } from 'chai'
import { createServer, type AddressInfo } from 'node:net'
import { startBackend, type RunningBackend } from '../../testkit-backend/server.js'
import { NOT_DECLARED } from '../../testkit-backend/features.js'
import { basicAuth, TestkitClient } from './client.js'

// Feature names of testkit branch 5.0 that a backend may declare (nutkit/protocol/feature.py;
// ../shared/research/TESTKIT-PROTOCOL.md section 10). An unknown name breaks every test.
const KNOWN_FEATURES = new Set([
  'Backend:MockTime', 'Backend:RTFetch', 'Backend:RTForceUpdate',
  'Feature:Auth:Custom', 'Feature:Auth:Kerberos', 'Feature:Auth:Bearer', 'Feature:Auth:Managed',
  'Feature:API:BookmarkManager', 'Feature:API:RetryableExceptions', 'Feature:API:Session:AuthConfig', 'Feature:API:SSLClientCertificate',
  'Feature:API:SSLConfig', 'Feature:API:SSLSchemes', 'Feature:API:Type.Temporal', 'Feature:API:ConnectionAcquisitionTimeout',
  'Feature:API:Driver.ExecuteQuery', 'Feature:API:Driver.ExecuteQuery:WithAuth', 'Feature:API:Driver:NotificationsConfig',
  'Feature:API:Driver:GetServerInfo', 'Feature:API:Driver.SupportsSessionAuth', 'Feature:API:Driver.VerifyAuthentication',
  'Feature:API:Driver.VerifyConnectivity', 'Feature:API:Driver.IsEncrypted', 'Feature:API:Session:NotificationsConfig',
  'Feature:API:Summary:GqlStatusObjects', 'Feature:API:Liveness.Check', 'Feature:API:Result.List', 'Feature:API:Result.Peek',
  'Feature:API:Result.Single', 'Feature:API:Result.SingleOptional',
  'AuthorizationExpiredTreatment', 'ConfHint:connection.recv_timeout_seconds', 'Feature:Impersonation',
  'Feature:Bolt:3.0', 'Feature:Bolt:4.1', 'Feature:Bolt:4.2', 'Feature:Bolt:4.3', 'Feature:Bolt:4.4', 'Feature:Bolt:5.0', 'Feature:Bolt:5.1',
  'Feature:Bolt:5.2', 'Feature:Bolt:5.3', 'Feature:Bolt:5.4', 'Feature:Bolt:5.5', 'Feature:Bolt:5.6', 'Feature:Bolt:5.7', 'Feature:Bolt:Patch:UTC',
  'Feature:TLS:1.1', 'Feature:TLS:1.2', 'Feature:TLS:1.3',
  'Optimization:AuthPipelining', 'Optimization:ConnectionReuse', 'Optimization:EagerTransactionBegin', 'Optimization:ExecuteQueryPipelining',
  'Optimization:ImplicitDefaultArguments', 'Optimization:MinimalBookmarksSet', 'Optimization:MinimalResets', 'Optimization:PullPipelining',
  'Optimization:ResultListFetchAll', 'Detail:NumberIsNumber', 'Detail:ClosedDriverIsEncrypted'
])

/** A loopback port nobody listens on (bound once, then released). */
async function closedPort (): Promise<number> {
  const server = createServer()
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as AddressInfo).port
  await new Promise<void>(resolve => server.close(() => resolve()))
  return port
}

/** Every line of a response stream is a marker or one JSON document; none is blank. */
function expectCleanStream (raw: string): void {
  const lines = raw.split('\n')
  expect(lines.at(-1), 'the stream ends with a newline').to.equal('')
  for (const line of lines.slice(0, -1)) {
    expect(line.trim(), 'no blank line').to.not.equal('')
    if (line !== '#response begin' && line !== '#response end') expect(() => JSON.parse(line), line).to.not.throw()
  }
}

describe('testkit backend: protocol over TCP', function () {
  this.timeout(30_000)
  let backend: RunningBackend
  let client: TestkitClient

  before(async () => { backend = await startBackend({ port: 0 }) })
  after(async () => { await backend?.close() })
  beforeEach(async () => { client = await TestkitClient.connect(backend.port) })
  afterEach(async () => { await client?.close() })

  it('declares only feature names testkit 5.0 knows, each once, and never a Bolt version bolt-connection lacks', async () => {
    const { features } = await client.expect('FeatureList', 'GetFeatures')
    expect(features).to.be.an('array').that.is.not.empty
    for (const feature of features) expect(KNOWN_FEATURES.has(feature), feature).to.equal(true)
    expect(new Set(features).size).to.equal(features.length)
    for (const absent of ['Feature:Bolt:4.1', 'Feature:Bolt:5.5']) {
      expect(features).to.not.include(absent)
    }
    // The driver's refreshRoutingTable() and injectable clock back these two (spec/testkit/routing-and-time.spec.ts).
    expect(features).to.include.members(['Backend:RTFetch', 'Backend:RTForceUpdate', 'Backend:MockTime'])
    for (const name of Object.keys(NOT_DECLARED)) {
      expect(KNOWN_FEATURES.has(name), `${name} is a real feature name`).to.equal(true)
      expect(features, `${name} is listed as not declared`).to.not.include(name)
    }
  })

  it('StartTest runs ordinary tests and skips listed ones with the reason', async () => {
    expect((await client.request('StartTest', { testName: 'stub.retry.test_retry.TestRetry.test_read' })).name).to.equal('RunTest')
    expect((await client.request('StartTest', { testName: 'stub.routing.test_routing_v4x3.RoutingV4x3.test_should_read_successfully_from_reader_using_session_run' })).name).to.equal('RunTest')
    const skipped = await client.expect('SkipTest', 'StartTest', { testName: 'stub.optimizations.test_optimizations.TestOptimizations.test_uses_implicit_default_arguments_multi_query' })
    expect(skipped.reason).to.match(/qid/)
  })

  it('answers an unknown request with BackendError naming it, and keeps serving', async () => {
    const error = await client.expect('BackendError', 'NoSuchRequest', { a: 1 })
    expect(error.msg).to.include('NoSuchRequest')
    expect((await client.request('GetFeatures')).name).to.equal('FeatureList')
  })

  it('answers requests the driver has no API for with BackendError saying what is missing', async () => {
    const error = await client.expect('BackendError', 'ForceHomeDatabaseResolution', { driverId: 1 })
    expect(error.msg).to.match(/ForceHomeDatabaseResolution is not supported.*home database/)
    expect((await client.expect('BackendError', 'DomainNameResolutionCompleted', { requestId: 1 })).msg).to.match(/DNS resolver/)
    expect((await client.expect('AuthTokenManager', 'NewAuthTokenManager')).id).to.not.equal(undefined)
    expect((await client.expect('BackendError', 'ResultSingle', { resultId: 1 })).msg).to.match(/single\(\)/)
  })

  it('acknowledges fake-time requests with FakeTimeAck, and refuses a tick without install or a negative one as BackendError', async () => {
    expect((await client.expect('BackendError', 'FakeTimeTick', { incrementMs: 10 })).msg).to.match(/not installed/)
    await client.expect('FakeTimeAck', 'FakeTimeInstall')
    await client.expect('FakeTimeAck', 'FakeTimeTick', { incrementMs: 10 })
    expect((await client.expect('BackendError', 'FakeTimeTick', { incrementMs: -1 })).msg).to.match(/non-negative/)
    expect((await client.expect('BackendError', 'FakeTimeTick', {})).msg).to.match(/incrementMs/)
    await client.expect('FakeTimeAck', 'FakeTimeUninstall')
    await client.expect('FakeTimeAck', 'FakeTimeUninstall') // uninstalling twice is harmless
  })

  it('reads a request split into single characters, multi-byte ones included', async () => {
    const frame = TestkitClient.frame('StartTest', { testName: 'stub.x.Tëst_ünïcode_✓' })
    const bytes = Buffer.from(frame, 'utf8')
    for (let i = 0; i < bytes.length; i++) client.writeRaw(bytes.subarray(i, i + 1) as unknown as string)
    expect((await client.receive()).name).to.equal('RunTest')
  })

  it('answers several requests written at once, in order', async () => {
    client.writeRaw(TestkitClient.frame('GetFeatures') + TestkitClient.frame('NoSuchRequest') + TestkitClient.frame('StartTest', { testName: 'x' }))
    expect((await client.receive()).name).to.equal('FeatureList')
    expect((await client.receive()).name).to.equal('BackendError')
    expect((await client.receive()).name).to.equal('RunTest')
  })

  it('answers malformed JSON with BackendError and recovers; CRLF line ends are accepted', async () => {
    client.writeRaw('#request begin\n{"name": "GetFeatures", \n#request end\n')
    client.writeRaw('#request begin\r\n{"name": "StartTest", "data": {"testName": "a.b"}}\r\n#request end\r\n')
    const responses = [await client.receive(), await client.receive()]
    expect(responses.map(r => r.name)).to.deep.equal(['BackendError', 'RunTest'])
    expect(responses[0]?.data.msg).to.match(/not JSON/)
  })

  it('reports an unknown id as BackendError, not as a driver error', async () => {
    const error = await client.expect('BackendError', 'NewSession', { driverId: 4242, accessMode: 'r', bookmarks: null, database: null, fetchSize: null, impersonatedUser: null })
    expect(error.msg).to.match(/no driver with id 4242/)
    expect((await client.expect('BackendError', 'RetryablePositive', { sessionId: 77 })).msg).to.match(/no session/)
  })

  it('reports driver failures as DriverError with code and retryability, and keeps them by id', async () => {
    const bad = await client.expect('DriverError', 'NewDriver', { uri: 'http://127.0.0.1:1', authorizationToken: basicAuth('neo4j', 'pw'), userAgent: null, resolverRegistered: false })
    expect(bad.code).to.equal('ConfigurationError')
    expect(bad.retryable).to.equal(false)
    expect(bad.msg).to.match(/unsupported URL scheme/)

    const port = await closedPort()
    const { id: driverId } = await client.expect('Driver', 'NewDriver', {
      uri: `bolt://127.0.0.1:${port}`, authorizationToken: basicAuth('neo4j', 'pw'), userAgent: 'testkit-spec', resolverRegistered: false, connectionTimeoutMs: 2000
    })
    const unreachable = await client.expect('DriverError', 'VerifyConnectivity', { driverId })
    expect(unreachable.code).to.equal('ServiceUnavailable')
    expect(unreachable.retryable).to.equal(true)
    expect(unreachable.id).to.not.equal(bad.id)
    expect((await client.expect('DriverIsEncrypted', 'CheckDriverIsEncrypted', { driverId })).encrypted).to.equal(false)
    await client.expect('Driver', 'DriverClose', { driverId })
    // Detail:ClosedDriverIsEncrypted
    expect((await client.expect('DriverIsEncrypted', 'CheckDriverIsEncrypted', { driverId })).encrypted).to.equal(false)
  })

  it('never writes a blank line or anything but response blocks', async () => {
    await client.request('GetFeatures')
    await client.request('NoSuchRequest')
    await client.request('StartTest', { testName: 'line\nbreak\n\n\n#response begin\n' })
    await client.request('NewDriver', { uri: 'nope://\n\n', authorizationToken: basicAuth('a', 'b'), resolverRegistered: false })
    expectCleanStream(client.raw)
  })

  it('keeps each connection isolated and releases its drivers when it closes', async () => {
    const port = await closedPort()
    const { id } = await client.expect('Driver', 'NewDriver', { uri: `bolt://127.0.0.1:${port}`, authorizationToken: basicAuth('a', 'b'), resolverRegistered: false })
    const other = await TestkitClient.connect(backend.port)
    try {
      expect((await other.expect('BackendError', 'DriverClose', { driverId: id })).msg).to.match(/no driver/)
    } finally {
      await other.close()
    }
    await client.close()
    const until = Date.now() + 5_000
    while (backend.connections() > 0 && Date.now() < until) await new Promise(resolve => setTimeout(resolve, 20))
    expect(backend.connections()).to.equal(0)
  })
})

// The internal, test-only `clock` option: pool idle times, connection
// lifetimes, liveness checks and routing-table expiry follow the injected
// clock, so a test (or a conformance backend declaring Backend:MockTime) can
// move time forward instead of waiting. The clock here is real time plus an
// offset that only grows, the shape the option documents.

import { expect } from 'chai'
import { PASSWORD, USER } from '../fixture/bolt/fake-backend.js'
import { LiveBoltServer } from '../fixture/bolt/live-server.js'
import neo4j, { type Driver } from '../../lib/index.js'
import type { DriverClock } from '../../lib/clock.js'
import { needsFixture } from './helpers.js'

class OffsetClock implements DriverClock {
  private offset = 0
  now = (): number => Date.now() + this.offset
  setTimeout = (callback: () => void, ms: number): unknown => setTimeout(callback, ms)
  clearTimeout = (handle: unknown): void => { clearTimeout(handle as NodeJS.Timeout) }
  tick (ms: number): void { this.offset += ms }
}

describe('integration: an injected clock drives pool and routing time', function () {
  let clock: OffsetClock
  const drivers: Driver[] = []
  const open = (config: Parameters<typeof neo4j.driver>[2] = {}): Driver => {
    const d = neo4j.driver(live.uri, neo4j.auth.basic(USER, PASSWORD), { clock, ...config })
    drivers.push(d)
    return d
  }
  const query = async (d: Driver): Promise<void> => { await d.executeQuery('RETURN 1', {}, { database: 'neo4j' }) }

  before(function () { needsFixture(this) })
  beforeEach(() => { clock = new OffsetClock() })
  // Drivers close first (hooks run in the order they are registered), then the server.
  afterEach(async () => { await Promise.all(drivers.splice(0).map(async d => await d.close())) })
  const live = LiveBoltServer.perTest({ advertiseOwnAddress: true })

  it('liveness check: an idle connection is RESET-pinged only once the clock says it idled past connectionLivenessCheckTimeout', async () => {
    const d = open({ connectionLivenessCheckTimeout: 60_000 })
    await query(d)
    const resets = (): number => live.server.stats().messages.RESET ?? 0
    const before = resets()
    await query(d)
    expect(resets() - before).to.equal(0)
    clock.tick(61_000)
    await query(d)
    expect(resets() - before).to.equal(1)
    expect(live.server.stats().connectionsTotal).to.equal(1)
  })

  it('maxConnectionLifetime: a connection older than the lifetime by the clock is replaced', async () => {
    const d = open({ maxConnectionLifetime: 3_600_000 })
    await query(d)
    await query(d)
    expect(live.server.stats().connectionsTotal).to.equal(1)
    clock.tick(3_600_001)
    await query(d)
    expect(live.server.stats().connectionsTotal).to.equal(2)
    expect(d.poolStats().idle).to.equal(1)
  })

  it('routing table: expires by the clock (ttl 300 s), then one ROUTE refreshes it', async () => {
    const d = open()
    await query(d)
    expect(live.backend.routeRequests).to.have.length(1)
    clock.tick(299_000)
    await query(d)
    expect(live.backend.routeRequests).to.have.length(1)
    clock.tick(2_000)
    await query(d)
    expect(live.backend.routeRequests).to.have.length(2)
    expect(d.routingTable('neo4j')?.expiresAt).to.be.above(clock.now())
  })

  it('rejects a clock that lacks now/setTimeout/clearTimeout, naming the key', () => {
    expect(() => neo4j.driver(live.uri, neo4j.auth.basic(USER, PASSWORD), { clock: { now: () => 0 } as unknown as DriverClock }))
      .to.throw(/'clock' must be an object \{ now\(\), setTimeout/)
  })
})

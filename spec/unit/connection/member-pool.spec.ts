import { expect } from 'chai'
import { AcquisitionTimeoutError } from '../../../lib/errors.js'
import { MemberPool, type PoolableConnection } from '../../../lib/connection/member-pool.js'

class FakeConnection implements PoolableConnection {
  static next = 0
  readonly id = FakeConnection.next++
  open = true
  closed = false
  pings = 0
  pingFails = false
  idleWatcher: (() => void) | undefined
  acquisitions = 0
  constructor (readonly createdAt: number) {}
  isOpen (): boolean { return this.open }
  async ping (): Promise<void> { this.pings++; if (this.pingFails) throw new Error('dead') }
  async close (): Promise<void> { this.open = false; this.closed = true }
  onIdle (onBroken: () => void): void { this.idleWatcher = onBroken }
  onActive (): void { this.idleWatcher = undefined }
  acquired (): void { this.acquisitions++ }
}

const tick = async (): Promise<void> => await new Promise(resolve => setImmediate(resolve))

function makePool (overrides: Partial<ConstructorParameters<typeof MemberPool<FakeConnection>>[0]> = {}) {
  let t = 1_000
  const opened: FakeConnection[] = []
  const pool = new MemberPool<FakeConnection>({
    address: 'm:1',
    open: async () => { const c = new FakeConnection(t); opened.push(c); return c },
    maxSize: 2,
    maxLifetime: Infinity,
    livenessCheckTimeout: undefined,
    idleTimeout: 0,
    pingTimeout: 1000,
    log: () => {},
    now: () => t,
    ...overrides
  })
  return { pool, opened, advance: (ms: number) => { t += ms }, now: () => t }
}

describe('connection: member pool', () => {
  it('reuses released connections and counts load', async () => {
    const { pool, opened } = makePool()
    const a = await pool.acquire(Infinity)
    expect(pool.load).to.equal(1)
    pool.release(a)
    expect(pool.stats()).to.include({ inUse: 0, idle: 1 })
    const b = await pool.acquire(Infinity)
    expect(b).to.equal(a)
    expect(opened).to.have.length(1)
    expect(b.acquisitions).to.equal(2)
  })

  it('queues beyond maxSize and hands released connections over in order', async () => {
    const { pool } = makePool()
    const a = await pool.acquire(Infinity)
    await pool.acquire(Infinity)
    const order: number[] = []
    const w1 = pool.acquire(Infinity).then(c => { order.push(1); return c })
    const w2 = pool.acquire(Infinity).then(c => { order.push(2); return c })
    await tick()
    expect(pool.stats().waiting).to.equal(2)
    pool.release(a)
    expect(await w1).to.equal(a)
    pool.release(a)
    await w2
    expect(order).to.deep.equal([1, 2])
  })

  it('times out a waiter with an error that names the pool state', async () => {
    const { pool } = makePool({ maxSize: 1, now: Date.now })
    await pool.acquire(Infinity)
    const error = await pool.acquire(Date.now() + 20).catch(e => e)
    expect(error).to.be.instanceOf(AcquisitionTimeoutError)
    expect(error.message).to.include('m:1: 1 in use, 0 idle, 0 opening, 1 waiting, max 1')
    expect(pool.stats().waiting).to.equal(0)
  })

  it('closes connections that broke or outlived maxLifetime instead of reusing them', async () => {
    const { pool, opened, advance } = makePool({ maxLifetime: 100 })
    const a = await pool.acquire(Infinity)
    a.open = false
    pool.release(a)
    expect(pool.stats().idle).to.equal(0)
    const b = await pool.acquire(Infinity)
    pool.release(b)
    advance(101)
    const c = await pool.acquire(Infinity)
    expect(c).not.to.equal(b)
    expect(b.closed).to.equal(true)
    expect(opened).to.have.length(3)
  })

  it('drops an idle connection the server closed', async () => {
    const { pool } = makePool()
    const a = await pool.acquire(Infinity)
    pool.release(a)
    a.open = false
    a.idleWatcher?.()
    expect(pool.stats().idle).to.equal(0)
    expect(a.closed).to.equal(true)
  })

  it('pings idle connections per connectionLivenessCheckTimeout and replaces dead ones', async () => {
    const { pool, advance } = makePool({ livenessCheckTimeout: 50 })
    const a = await pool.acquire(Infinity)
    pool.release(a)
    advance(10)
    expect(await pool.acquire(Infinity)).to.equal(a)
    expect(a.pings).to.equal(0)
    pool.release(a)
    advance(60)
    a.pingFails = true
    const b = await pool.acquire(Infinity)
    expect(a.pings).to.equal(1)
    expect(b).not.to.equal(a)
    expect(a.closed).to.equal(true)
  })

  it('closes connections idle longer than idleTimeout', async () => {
    const { pool, advance } = makePool({ idleTimeout: 100 })
    const a = await pool.acquire(Infinity)
    pool.release(a)
    advance(150)
    const b = await pool.acquire(Infinity)
    expect(b).not.to.equal(a)
    expect(a.closed).to.equal(true)
  })

  it('a failed open frees the slot for a waiter', async () => {
    let fail = true
    const { pool } = makePool({ maxSize: 1, open: async () => { if (fail) { fail = false; await new Promise(resolve => setTimeout(resolve, 5)); throw new Error('refused') } return new FakeConnection(0) } })
    const first = pool.acquire(Infinity)
    const waiter = pool.acquire(Infinity)
    expect(await first.catch(e => e.message)).to.equal('refused')
    expect(await waiter).to.be.instanceOf(FakeConnection)
  })

  it('close fails waiters and closes idle connections; later releases close too', async () => {
    const { pool } = makePool({ maxSize: 1 })
    const a = await pool.acquire(Infinity)
    const waiter = pool.acquire(Infinity)
    await tick()
    await pool.close()
    expect(await waiter.catch(e => e.message)).to.match(/closed/)
    pool.release(a)
    expect(a.closed).to.equal(true)
    expect(await pool.acquire(Infinity).catch(e => e.message)).to.match(/closed/)
  })

  it('a double release is harmless', async () => {
    const { pool } = makePool()
    const a = await pool.acquire(Infinity)
    pool.release(a)
    pool.release(a)
    expect(pool.stats()).to.include({ inUse: 0, idle: 1 })
  })
})

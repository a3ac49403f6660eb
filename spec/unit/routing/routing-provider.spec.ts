// The routing-table manager with fake pools (no network): refresh when stale,
// one ROUTE for concurrent callers, forgetting on errors, quarantine, home db.

import { expect } from 'chai'
import { newError, ProtocolVersion } from 'neo4j-driver-core'
import type { ConnectionTarget, RouteRequest } from '../../../lib/connection/route-types.js'
import { DiscoveryError, isAwaitingLeader, tagConnectionLost } from '../../../lib/errors.js'
import { runWithRetry } from '../../../lib/retry/retry-executor.js'
import { silentLog } from '../../../lib/log.js'
import type { RouteReply } from '../../../lib/routing/routing-table.js'
import { fromRouteReply } from '../../../lib/routing/routing-table.js'
import type { MemberConnection, MemberConnections } from '../../../lib/routing/member-connections.js'
import { RoutingProvider, routersHealthyFirst, WRITERLESS_ANSWER_REUSE_MS } from '../../../lib/routing/routing-provider.js'

const lost = (address: string): Error => { const e = newError(`connect ECONNREFUSED ${address}`, 'SessionExpired'); tagConnectionLost(e); return e }

/** A plain fake of the interface the routing layer declares (lib/routing/member-connections.ts). */
class FakePools implements MemberConnections {
  routes: Array<{ router: string, database: string | null, bookmarks?: readonly string[] }> = []
  /** database → ROUTE requests in flight now, and the most ever at once. */
  inFlight = new Map<string | null, number>()
  maxInFlight = new Map<string | null, number>()
  replies = new Map<string, () => RouteReply | Error>()
  down = new Set<string>()
  acquired: string[] = []
  /** The auth each acquisition asked for (undefined: the driver's). */
  acquiredAs: unknown[] = []
  closedIdle: string[] = []
  routeDelayMs = 0
  /** Whether every connection's server advertised `ssr.enabled`. */
  ssr = false
  serverSideRouting (): boolean { return this.ssr }
  async acquire (target: ConnectionTarget | string, _deadline?: number, auth?: { auth?: unknown }): Promise<MemberConnection> {
    const address = typeof target === 'string' ? target : target.hostPort
    if (this.down.has(address)) throw lost(address)
    this.acquired.push(address)
    this.acquiredAs.push(auth?.auth)
    return {
      address,
      route: async (q: RouteRequest) => {
        this.routes.push({ router: address, database: q.database, bookmarks: q.bookmarks })
        const now = (this.inFlight.get(q.database) ?? 0) + 1
        this.inFlight.set(q.database, now)
        this.maxInFlight.set(q.database, Math.max(now, this.maxInFlight.get(q.database) ?? 0))
        try {
          if (this.routeDelayMs > 0) await new Promise(resolve => setTimeout(resolve, this.routeDelayMs))
        } finally {
          this.inFlight.set(q.database, (this.inFlight.get(q.database) ?? 1) - 1)
        }
        const reply = this.replies.get(address)?.() ?? this.replies.get('*')?.()
        if (reply === undefined) throw new Error(`no reply scripted for ${address}`)
        if (reply instanceof Error) throw reply
        return reply
      },
      release: async () => {},
      close: async () => {},
      server: { address },
      serverAgent: 'Neo4j/5',
      getProtocolVersion: () => new ProtocolVersion(5, 7),
      justAuthenticated: () => true,
      resetAndFlush: async () => {}
    }
  }
  async verifyAuthentication (): Promise<void> {}
  load (): number { return 0 }
  closeIdle (address: string): void { this.closedIdle.push(address) }
  retainOnly (): void {}
  async close (): Promise<void> {}
}

const table = (writer: string[], readers: string[], routers: string[], db = 'neo4j'): RouteReply =>
  ({ ttl: 300, db, servers: [{ role: 'WRITE', addresses: writer }, { role: 'READ', addresses: readers }, { role: 'ROUTE', addresses: routers }] })

function provider (pools: FakePools, now = () => Date.now()): RoutingProvider<MemberConnection> {
  return new RoutingProvider({
    connections: () => pools, seed: '10.9.9.9:1', routingContext: {}, resolver: undefined,
    purgeDelayMs: 30_000, routeTimeoutMs: 0, principal: 'neo4j', log: silentLog, now
  })
}

const request = (mode: 'READ' | 'WRITE', database: string | null = 'neo4j') => ({ mode, database, bookmarks: async () => [], impersonatedUser: null, deadline: Date.now() + 60_000 })

describe('routing: provider (fake pools)', () => {
  it('fetches a table from the seed, then reuses it until stale', async () => {
    const pools = new FakePools()
    pools.replies.set('10.9.9.9:1', () => table(['a:1'], ['b:1', 'c:1'], ['a:1', 'b:1']))
    const p = provider(pools)
    const w = await p.acquire(request('WRITE'))
    expect(w.connection.address).to.equal('a:1')
    await p.acquire(request('READ'))
    expect(pools.routes).to.have.length(1)
    expect(p.routingTable('neo4j')?.writers).to.deep.equal(['a:1'])
  })

  it('concurrent callers share one ROUTE per database', async () => {
    const pools = new FakePools()
    pools.routeDelayMs = 20
    pools.replies.set('10.9.9.9:1', () => table(['a:1'], ['b:1'], ['a:1']))
    const p = provider(pools)
    await Promise.all(Array.from({ length: 20 }, async () => await p.acquire(request('READ'))))
    expect(pools.routes).to.have.length(1)
  })

  it('a member that refuses connections is forgotten at once and another reader is used', async () => {
    const pools = new FakePools()
    pools.replies.set('10.9.9.9:1', () => table(['a:1'], ['b:1', 'c:1'], ['a:1']))
    pools.down.add('b:1')
    const p = provider(pools)
    const r = await p.acquire(request('READ'))
    expect(r.connection.address).to.equal('c:1')
    expect(p.routingTable('neo4j')?.readers).to.deep.equal(['c:1'])
    expect(pools.closedIdle).to.include('b:1')
  })

  it('NotALeader forgets the writer; the next write refreshes (known routers first)', async () => {
    const pools = new FakePools()
    let leader = 'a:1'
    pools.replies.set('*', () => table([leader], ['b:1', 'c:1'], ['a:1', 'b:1', 'c:1']))
    const p = provider(pools)
    await p.acquire(request('WRITE'))
    p.onError(newError('not leader', 'Neo.ClientError.Cluster.NotALeader' as never), 'a:1', 'neo4j')
    expect(p.routingTable('neo4j')?.writers).to.deep.equal([])
    leader = 'b:1'
    const w = await p.acquire(request('WRITE'))
    expect(w.connection.address).to.equal('b:1')
    // 'a:1' is no longer a reader or writer, so it is asked last
    expect(pools.routes.map(r => r.router)).to.deep.equal(['10.9.9.9:1', 'b:1'])
  })

  it('a table without a writer fails a write with a retryable "no writer" error', async () => {
    const pools = new FakePools()
    pools.replies.set('*', () => table([], ['b:1'], ['b:1']))
    const error = await provider(pools).acquire(request('WRITE')).catch(e => e)
    expect(error.code).to.equal('SessionExpired')
    expect(error.message).to.match(/no writer/)
  })

  it('an unreachable only writer (a leader that just died) is waited for like an election; an unreachable reader is not', async () => {
    const pools = new FakePools()
    pools.replies.set('*', () => table(['a:1'], ['b:1'], ['b:1']))
    pools.down.add('a:1')
    const write = await provider(pools).acquire(request('WRITE')).catch(e => e)
    expect(write.message).to.match(/ECONNREFUSED a:1/)
    expect(isAwaitingLeader(write)).to.equal(true) // the retry engine polls at the leader pace
    const readerPools = new FakePools()
    readerPools.replies.set('*', () => table(['a:1'], ['b:1'], ['b:1']))
    readerPools.down.add('b:1')
    const read = await provider(readerPools).acquire(request('READ')).catch(e => e)
    expect(isAwaitingLeader(read)).to.equal(false)
  })

  it('keeps a member whose connection just failed out of fresh tables for a while (not if it is the only one)', async () => {
    const pools = new FakePools()
    let now = Date.now()
    pools.replies.set('*', () => table(['a:1'], ['b:1', 'c:1'], ['a:1', 'b:1', 'c:1']))
    const p = provider(pools, () => now)
    await p.acquire(request('READ'))
    p.onError(lost('b:1'), 'b:1', 'neo4j')
    p.onError(lost('a:1'), 'a:1', 'neo4j') // the writer too: table now stale for WRITE
    await p.acquire(request('WRITE')) // refresh: 'a:1' is the only writer, so it stays
    expect(p.routingTable('neo4j')?.readers).to.deep.equal(['c:1'])
    expect(p.routingTable('neo4j')?.writers).to.deep.equal(['a:1'])
    now += 6_000
    p.onError(newError('gone', 'Neo.ClientError.Cluster.NotALeader' as never), 'a:1', 'neo4j')
    await p.acquire(request('WRITE'))
    expect(p.routingTable('neo4j')?.readers).to.deep.equal(['b:1', 'c:1'])
  })

  it('a sole writer whose one connection dropped is paced only until a connection to it works again', async () => {
    const pools = new FakePools()
    let now = Date.now()
    pools.replies.set('*', () => table(['a:1'], ['b:1'], ['a:1', 'b:1']))
    const p = provider(pools, () => now)
    await p.acquire(request('WRITE'))
    p.onError(lost('a:1'), 'a:1', 'neo4j') // one connection of a live leader dropped (e.g. mid-COMMIT)
    await p.acquire(request('WRITE')) // the trial attempt goes through, and works
    now += 10 // well inside the pacing period and the quarantine
    const next = await p.acquire(request('WRITE')).catch((e: Error) => e)
    expect(next).to.not.be.instanceOf(Error) // no "could not be reached … waiting for another" for the next sessions
    // A leader that is really gone is not handed out: the write waits for the cluster to name another.
    now += 1_000
    pools.down.add('a:1')
    p.onError(lost('a:1'), 'a:1', 'neo4j')
    const handedOut = pools.acquired.filter(a => a === 'a:1').length
    for (let i = 0; i < 3; i++) {
      now += 10
      const waiting = await p.acquire(request('WRITE')).catch((e: Error) => e)
      expect(waiting).to.be.instanceOf(Error)
    }
    expect(pools.acquired.filter(a => a === 'a:1').length).to.equal(handedOut)
  })

  it('while a dead sole writer is paced out, the next write asks the routers again and takes the new leader at once', async () => {
    const pools = new FakePools()
    let now = Date.now()
    let leader = 'a:1'
    pools.replies.set('*', () => table([leader], ['b:1'], ['b:1']))
    const p = provider(pools, () => now)
    await p.acquire(request('WRITE'))
    pools.down.add('a:1') // the leader dies; its peers keep naming it until they elect another
    p.onError(lost('a:1'), 'a:1', 'neo4j')
    const trial = await p.acquire(request('WRITE')).catch((e: Error) => e) as Error
    expect(trial.message).to.match(/ECONNREFUSED a:1/)
    now += 10
    const paced = await p.acquire(request('WRITE')).catch((e: Error) => e) as Error
    expect(paced.message).to.match(/could not be reached/)
    leader = 'c:1' // elected
    now += 25 // one leader poll later, still inside the 250 ms pacing period
    const next = await p.acquire(request('WRITE'))
    expect(next.connection.address).to.equal('c:1')
  })

  it('DatabaseUnavailable forgets the member for that database only', async () => {
    const pools = new FakePools()
    pools.replies.set('*', () => table(['a:1'], ['b:1', 'c:1'], ['a:1']))
    pools.replies.set('10.9.9.9:1', () => table(['a:1'], ['b:1', 'c:1'], ['a:1']))
    const p = provider(pools)
    await p.acquire(request('READ', 'neo4j'))
    pools.replies.set('10.9.9.9:1', () => table(['a:1'], ['b:1', 'c:1'], ['a:1'], 'other'))
    pools.replies.set('a:1', () => table(['a:1'], ['b:1', 'c:1'], ['a:1'], 'other'))
    await p.acquire(request('READ', 'other'))
    p.onError(newError('unavailable', 'Neo.TransientError.General.DatabaseUnavailable' as never), 'b:1', 'neo4j')
    expect(p.routingTable('neo4j')?.readers).to.deep.equal(['c:1'])
    expect(p.routingTable('other')?.readers).to.deep.equal(['b:1', 'c:1'])
  })

  it('without server-side routing, resolves the home database for every session (an admin may have changed it)', async () => {
    const pools = new FakePools()
    pools.replies.set('*', () => table(['a:1'], ['b:1'], ['a:1'], 'home'))
    const p = provider(pools)
    const first = await p.acquire(request('READ', null))
    expect(first.database).to.equal('home')
    const second = await p.acquire(request('READ', null))
    expect(second.database).to.equal('home')
    expect(pools.routes.map(r => r.database)).to.deep.equal([null, null])
  })

  it('resolving the home database again asks the routers of the last known one first, not only the seed (which may be the member that died)', async () => {
    const pools = new FakePools()
    pools.ssr = true
    pools.replies.set('*', () => table(['b:1'], ['c:1'], ['10.9.9.9:1', 'b:1', 'c:1'], 'home'))
    const p = provider(pools)
    await p.acquire(request('WRITE', null)) // resolved through the seed
    pools.down.add('10.9.9.9:1') // the seed was the old leader, and is gone
    const fresh = await p.refreshRoutingTable(null, { bookmarks: [], deadline: Date.now() + 10_000 })
    expect(fresh.database).to.equal('home')
    expect(pools.routes.map(r => r.router)).to.deep.equal(['10.9.9.9:1', 'b:1'])
  })

  it('with server-side routing, routes by the cached home database and names none (the server resolves it)', async () => {
    const pools = new FakePools()
    pools.ssr = true
    pools.replies.set('*', () => table(['a:1'], ['b:1'], ['a:1'], 'home'))
    const p = provider(pools)
    const first = await p.acquire(request('READ', null))
    expect(first.database).to.equal('home') // resolved by ROUTE: the session pins it
    const second = await p.acquire(request('READ', null))
    expect(second.database).to.equal(null) // routed by the cached guess, no database named
    expect(second.connection.address).to.equal('b:1')
    expect(pools.routes.map(r => r.database)).to.deep.equal([null])
  })

  it('per-session auth: ROUTE and the work go out as the session user, and each user has a home database of their own', async () => {
    const pools = new FakePools()
    pools.ssr = true
    pools.replies.set('*', () => table(['a:1'], ['b:1'], ['a:1'], 'home'))
    const p = provider(pools)
    const alice = { scheme: 'basic', principal: 'alice', credentials: 'a' }
    await p.acquire(request('READ', null)) // the driver's user: resolved and cached
    const asAlice = await p.acquire({ ...request('READ', null), auth: alice as never })
    expect(asAlice.database).to.equal('home') // alice's home database is not the driver user's: resolved by ROUTE
    expect(pools.routes.map(r => r.database)).to.deep.equal([null, null])
    expect(pools.acquiredAs).to.deep.equal([undefined, undefined, alice, alice]) // ROUTE, then the reader, each as their user
    const again = await p.acquire({ ...request('READ', null), auth: { ...alice } as never })
    expect(again.database).to.equal(null) // alice's cached home database now routes her sessions
    expect(pools.routes).to.have.length(2)
  })

  it('discovery failure lists every router tried', async () => {
    const pools = new FakePools()
    pools.down.add('10.9.9.9:1')
    const error = await provider(pools).acquire(request('READ')).catch(e => e)
    expect(error).to.be.instanceOf(DiscoveryError)
    expect(error.message).to.include('10.9.9.9:1: connection lost')
  })

  it('orders known routers with forgotten members last', () => {
    const t = fromRouteReply(table(['b:1'], ['c:1'], ['a:1', 'b:1', 'c:1', 'd:1']), null, 0)
    expect(routersHealthyFirst(t)).to.deep.equal(['b:1', 'c:1', 'a:1', 'd:1'])
    expect(routersHealthyFirst(t, 'b:1')).to.deep.equal(['c:1', 'a:1', 'b:1', 'd:1'])
    expect(routersHealthyFirst(undefined)).to.deep.equal([])
  })

  it('after a table without a writer, asks another router first (the first may be in a minority)', async () => {
    const pools = new FakePools()
    pools.replies.set('10.9.9.9:1', () => table([], ['b:1', 'c:1'], ['b:1', 'c:1']))
    pools.replies.set('b:1', () => table([], ['b:1', 'c:1'], ['b:1', 'c:1']))
    pools.replies.set('c:1', () => table(['c:1'], ['b:1'], ['b:1', 'c:1']))
    let t = 1_000_000
    const p = provider(pools, () => t)
    await p.acquire(request('READ')) // table from the seed, no writer
    t += WRITERLESS_ANSWER_REUSE_MS // (a writerless answer is reused that long)
    await p.acquire(request('WRITE')).catch(() => {}) // b:1 answers, still no writer
    t += WRITERLESS_ANSWER_REUSE_MS
    const w = await p.acquire(request('WRITE')) // b:1 goes last now: c:1 knows the leader
    expect(w.connection.address).to.equal('c:1')
    expect(pools.routes.map(r => r.router)).to.deep.equal(['10.9.9.9:1', 'b:1', 'c:1'])
  })

  it('routingTable() without a database gives the home database\'s table once resolved, named in the snapshot', async () => {
    const pools = new FakePools()
    pools.replies.set('*', () => table(['a:1'], ['b:1'], ['a:1'], 'home'))
    const p = provider(pools)
    expect(p.routingTable()).to.equal(undefined)
    await p.acquire(request('READ', null))
    expect(p.routingTable()).to.deep.include({ database: 'home', writers: ['a:1'], readers: ['b:1'] })
    expect(p.routingTable('home')).to.deep.equal(p.routingTable())
    expect(p.routingTable('other')).to.equal(undefined)
  })

  it('refreshRoutingTable sends ROUTE now even when the cached table is fresh, with the bookmarks given', async () => {
    const pools = new FakePools()
    let writer = 'a:1'
    pools.replies.set('*', () => table([writer], ['b:1'], ['a:1', 'b:1']))
    const p = provider(pools)
    await p.acquire(request('WRITE'))
    writer = 'b:1'
    const fresh = await p.refreshRoutingTable('neo4j', { bookmarks: ['bm:1'], deadline: Date.now() + 10_000 })
    expect(pools.routes).to.have.length(2)
    expect(pools.routes[1]?.bookmarks).to.deep.equal(['bm:1'])
    expect(fresh.writers).to.deep.equal(['b:1'])
    expect(p.routingTable('neo4j')?.writers).to.deep.equal(['b:1'])
    expect((await p.acquire(request('WRITE'))).connection.address).to.equal('b:1')
  })

  it('refreshRoutingTable(null) resolves the home database again and caches it', async () => {
    const pools = new FakePools()
    pools.replies.set('*', () => table(['a:1'], ['b:1'], ['a:1'], 'home'))
    const p = provider(pools)
    const fresh = await p.refreshRoutingTable(null, { bookmarks: [], deadline: Date.now() + 10_000 })
    expect(fresh.database).to.equal('home')
    expect(pools.routes.map(r => r.database)).to.deep.equal([null])
    expect(p.routingTable()?.database).to.equal('home')
    await p.acquire(request('READ', null)) // without server-side routing, a session resolves again
    expect(pools.routes).to.have.length(2)
    pools.ssr = true
    await p.acquire(request('READ', null)) // with it, the cached home name routes: no third ROUTE
    expect(pools.routes).to.have.length(2)
  })

  it('during an election a writerless answer is reused for a poll period by retry attempts: waiting writers do not each ask again', async () => {
    const pools = new FakePools()
    let t = 1_000_000
    let writers: string[] = []
    pools.replies.set('*', () => table(writers, ['b:1', 'c:1'], ['b:1', 'c:1']))
    const p = provider(pools, () => t)
    const first = await p.acquire(request('WRITE')).catch(e => e)
    expect(isAwaitingLeader(first)).to.equal(true)
    expect(pools.routes).to.have.length(1)
    t += WRITERLESS_ANSWER_REUSE_MS - 1
    for (let i = 0; i < 10; i++) {
      const error = await p.acquire({ ...request('WRITE'), retrying: true }).catch(e => e)
      expect(isAwaitingLeader(error), String(error)).to.equal(true) // retryable "no writer yet", without a ROUTE
    }
    expect(pools.routes).to.have.length(1)
    await p.acquire(request('WRITE')).catch(() => {}) // a new call (not a retry) always asks
    expect(pools.routes).to.have.length(2)
    expect((await p.acquire(request('READ'))).connection.address).to.be.oneOf(['b:1', 'c:1']) // reads are not held up
    writers = ['c:1']
    t += WRITERLESS_ANSWER_REUSE_MS // that answer is now a poll period old: the next poll asks
    expect((await p.acquire({ ...request('WRITE'), retrying: true })).connection.address).to.equal('c:1')
    expect(pools.routes).to.have.length(3)
  })

  it('a writer forgotten by NotALeader is not a writerless answer: the next write asks at once', async () => {
    const pools = new FakePools()
    let t = 1_000_000
    let writers: string[] = []
    pools.replies.set('*', () => table(writers, ['b:1', 'c:1'], ['b:1', 'c:1']))
    const p = provider(pools, () => t)
    await p.acquire(request('WRITE')).catch(() => {})
    writers = ['b:1']
    t += WRITERLESS_ANSWER_REUSE_MS
    await p.acquire(request('WRITE'))
    p.onError(newError('not leader', 'Neo.ClientError.Cluster.NotALeader' as never), 'b:1', 'neo4j')
    writers = ['c:1']
    expect((await p.acquire(request('WRITE'))).connection.address).to.equal('c:1') // same instant: no reuse
    expect(pools.routes).to.have.length(3)
  })

  it('N sessions waiting out an election through the retry engine share the polls: one ROUTE in flight per database, about one per poll period', async () => {
    const pools = new FakePools()
    pools.routeDelayMs = 3
    let writers: string[] = []
    pools.replies.set('*', () => table(writers, ['b:1', 'c:1'], ['b:1', 'c:1']))
    const p = provider(pools)
    const policy = { budgetMs: 10_000, initialDelayMs: 50, multiplier: 1.5, maxDelayMs: 1000, jitter: 0.2 }
    const started = Date.now()
    const elected = setTimeout(() => { writers = ['c:1'] }, 300)
    const sessions = Array.from({ length: 40 }, async () =>
      await runWithRetry(async ({ deadline, attempt }) => (await p.acquire({ ...request('WRITE'), deadline, retrying: attempt > 1 })).connection.address, { policy }))
    try {
      expect(await Promise.all(sessions)).to.deep.equal(Array(40).fill('c:1'))
    } finally {
      clearTimeout(elected)
    }
    const elapsed = Date.now() - started
    expect(pools.maxInFlight.get('neo4j')).to.equal(1)
    // Asked about once per reuse period while it lasted (+ the first asks, shared while in flight, and the one that
    // found the leader), not once per waiting session per poll (40 sessions × 12 polls).
    expect(pools.routes.length).to.be.at.most(Math.ceil(elapsed / WRITERLESS_ANSWER_REUSE_MS) + 3)
    expect(pools.routes.length).to.be.at.least(2)
  })

  it('concurrent forced refreshes of one database share one ROUTE; a failing one throws the discovery error', async () => {
    const pools = new FakePools()
    pools.routeDelayMs = 20
    pools.replies.set('*', () => table(['a:1'], ['b:1'], ['a:1']))
    const p = provider(pools)
    const deadline = Date.now() + 10_000
    await Promise.all(Array.from({ length: 5 }, async () => await p.refreshRoutingTable('neo4j', { bookmarks: [], deadline })))
    expect(pools.routes).to.have.length(1)
    pools.down.add('a:1'); pools.down.add('10.9.9.9:1')
    const error = await p.refreshRoutingTable('neo4j', { bookmarks: [], deadline }).catch(e => e)
    expect(error).to.be.instanceOf(DiscoveryError)
  })
})

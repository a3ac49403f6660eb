// A connection pool for one cluster member: bounded size, a FIFO acquisition
// queue with a deadline (the timeout error names the pool's state), liveness
// check of idle connections, max lifetime, idle close. Connections are opened
// by an injected factory, so this file has no wire knowledge and is unit-tested
// with fakes.

import { MAX_TIMER_MS, systemClock, withTimeout, type DriverClock } from '../clock.js'
import { AcquisitionTimeoutError, neo4jError, DRIVER_CLOSED } from '../errors.js'
import type { LogFunction } from '../log.js'

/** What the pool needs from a connection. */
export interface PoolableConnection {
  isOpen: () => boolean
  /** RESET round trip; rejects if the connection is unusable. */
  ping: () => Promise<void>
  close: () => Promise<void>
  /** Called when the connection goes idle; `onBroken` fires if the server closes it meanwhile. */
  onIdle: (onBroken: () => void) => void
  onActive: () => void
  /** Called each time the pool hands the connection out (a new lease starts). */
  acquired: () => void
  readonly createdAt: number
}

export interface MemberPoolOptions<C extends PoolableConnection> {
  readonly address: string
  /**
   * Opens a connection; must give up by `deadline` (ms since epoch).
   * `context` is what the caller of acquire() passed (e.g. who to log on as).
   */
  readonly open: (deadline: number, context: unknown) => Promise<C>
  /**
   * Makes a connection taken from the idle list (or handed over by a
   * release) fit for `context` before it is handed out, e.g. logs it on
   * again as another user. False: the connection is unusable (it is closed
   * and another one is tried); a throw goes to the caller (after closing it).
   */
  readonly prepare?: (connection: C, context: unknown, deadline: number) => Promise<boolean>
  /** Infinity = unlimited. */
  readonly maxSize: number
  /** ms; Infinity = no limit. */
  readonly maxLifetime: number
  /** undefined: never ping; 0: ping every idle connection on acquire; > 0: ping if idle longer. */
  readonly livenessCheckTimeout: number | undefined
  /** ms; 0 = keep idle connections. */
  readonly idleTimeout: number
  /** ms: how long a liveness ping may take. */
  readonly pingTimeout: number
  readonly log: LogFunction
  /** Idle times, lifetimes, liveness and acquisition waits (default: the system clock). */
  readonly clock?: DriverClock
  /** Overrides `clock.now` only (unit tests). */
  readonly now?: () => number
}

interface Waiter<C> {
  resolve: (connection: C) => void
  reject: (error: Error) => void
  timer: unknown
  deadline: number
  context: unknown
}

export interface PoolStats { address: string, inUse: number, idle: number, opening: number, waiting: number, maxSize: number }

export class MemberPool<C extends PoolableConnection> {
  private readonly options: MemberPoolOptions<C>
  private readonly now: () => number
  private readonly clock: DriverClock
  /** Most recently released last (LIFO reuse keeps few connections warm). */
  private readonly idle: Array<{ connection: C, since: number }> = []
  private readonly active = new Set<C>()
  private readonly waiters: Array<Waiter<C>> = []
  private opening = 0
  private closed = false

  constructor (options: MemberPoolOptions<C>) {
    this.options = options
    this.clock = options.clock ?? systemClock
    this.now = options.now ?? (() => this.clock.now())
  }

  get address (): string { return this.options.address }
  /** Connections handed out, being opened, or waited for: the load that selection balances (queues count once the pool is full). */
  get load (): number { return this.active.size + this.opening + this.waiters.length }

  stats (): PoolStats {
    return { address: this.options.address, inUse: this.active.size, idle: this.idle.length, opening: this.opening, waiting: this.waiters.length, maxSize: this.options.maxSize }
  }

  describe (): string {
    const s = this.stats()
    return `pool for ${s.address}: ${s.inUse} in use, ${s.idle} idle, ${s.opening} opening, ${s.waiting} waiting, max ${s.maxSize === Infinity ? 'unlimited' : s.maxSize}`
  }

  /** Get a connection, opening one if there is room, else wait in line until `deadline`. */
  async acquire (deadline: number, context?: unknown): Promise<C> {
    if (this.closed) throw neo4jError(`The pool for ${this.options.address} is closed (driver closed)`, DRIVER_CLOSED)
    this.closeExpiredIdle()
    const reused = await this.takeIdle(deadline, context)
    if (reused !== undefined) return reused
    if (this.active.size + this.opening < this.options.maxSize) return await this.openNew(deadline, context)
    return await this.enqueue(deadline, context)
  }

  /** Every connection of the pool, idle or in use (e.g. to mark them all for a new logon). */
  forEach (visit: (connection: C) => void): void {
    for (const { connection } of this.idle) visit(connection)
    for (const connection of this.active) visit(connection)
  }

  /**
   * Give a connection back. A broken or too-old connection is closed; a
   * healthy one goes to the first waiter, else to the idle list.
   */
  release (connection: C): void {
    if (!this.active.delete(connection)) return // double release is harmless
    if (this.closed || !connection.isOpen() || this.tooOld(connection)) {
      this.destroy(connection)
      this.serveWaitersWithNewConnections()
      return
    }
    const waiter = this.waiters.shift()
    if (waiter !== undefined) {
      this.clearWaiterTimer(waiter)
      this.active.add(connection)
      connection.acquired()
      this.handOver(connection, waiter)
      return
    }
    this.idle.push({ connection, since: this.now() })
    connection.onIdle(() => this.evictIdle(connection))
  }

  /** Close every idle connection (member forgotten or dropped from all tables). */
  closeIdle (): number {
    const count = this.idle.length
    for (const { connection } of this.idle.splice(0)) this.destroy(connection)
    if (count > 0) this.options.log(`closed ${count} idle connection(s) to ${this.options.address}`)
    return count
  }

  /**
   * The member stopped answering: close idle connections now and hand every
   * connection in use to `fail` (which breaks it, failing its requests; it is
   * destroyed when its user releases it). Returns how many were in use.
   */
  failAll (fail: (connection: C) => void): number {
    this.closeIdle()
    const active = [...this.active]
    for (const connection of active) {
      try { fail(connection) } catch { /* one broken connection must not spare the others */ }
    }
    return active.length
  }

  /** Close the pool: idle connections now, active ones when released; waiters fail. */
  async close (): Promise<void> {
    this.closed = true
    for (const waiter of this.waiters.splice(0)) {
      this.clearWaiterTimer(waiter)
      waiter.reject(neo4jError(`The driver was closed while waiting for a connection to ${this.options.address}`, DRIVER_CLOSED))
    }
    const closing = this.idle.splice(0).map(({ connection }) => connection.close().catch(() => {}))
    await Promise.all(closing)
  }

  private clearWaiterTimer (waiter: Waiter<C>): void {
    if (waiter.timer !== undefined) this.clock.clearTimeout(waiter.timer)
    waiter.timer = undefined
  }

  private tooOld (connection: C): boolean {
    return this.now() - connection.createdAt > this.options.maxLifetime
  }

  private destroy (connection: C): void {
    connection.close().catch(() => {})
  }

  /** A connection that was handed out (or about to be) turned out unusable: out of the pool, closed. */
  private discardActive (connection: C): void {
    this.active.delete(connection)
    this.destroy(connection)
  }

  private evictIdle (connection: C): void {
    const index = this.idle.findIndex(entry => entry.connection === connection)
    if (index >= 0) {
      this.idle.splice(index, 1)
      this.destroy(connection)
      this.options.log(`idle connection to ${this.options.address} closed by the server; dropped`)
    }
  }

  private closeExpiredIdle (): void {
    if (this.options.idleTimeout <= 0 || this.idle.length === 0) return
    const cutoff = this.now() - this.options.idleTimeout
    for (let i = this.idle.length - 1; i >= 0; i--) {
      const entry = this.idle[i]
      if (entry !== undefined && entry.since < cutoff) {
        this.idle.splice(i, 1)
        this.destroy(entry.connection)
      }
    }
  }

  private needsPing (idleSince: number): boolean {
    const timeout = this.options.livenessCheckTimeout
    return timeout !== undefined && this.now() - idleSince >= timeout
  }

  /** A released connection goes to a waiter once it is fit for the waiter's context; else a new one is opened for it. */
  private handOver (connection: C, waiter: Waiter<C>): void {
    const prepare = this.options.prepare
    if (prepare === undefined) { waiter.resolve(connection); return }
    prepare(connection, waiter.context, waiter.deadline).then(ok => {
      if (ok) { waiter.resolve(connection); return }
      this.discardActive(connection)
      this.openNew(waiter.deadline, waiter.context).then(waiter.resolve, waiter.reject)
    }, (error: Error) => {
      this.discardActive(connection)
      this.serveWaitersWithNewConnections()
      waiter.reject(error)
    })
  }

  private async takeIdle (deadline: number, context: unknown): Promise<C | undefined> {
    // Bounded: each pass removes one entry from the idle list.
    while (this.idle.length > 0) {
      const entry = this.idle.pop()
      if (entry === undefined) break
      const { connection } = entry
      connection.onActive()
      if (!connection.isOpen() || this.tooOld(connection)) {
        this.destroy(connection)
        continue
      }
      this.active.add(connection)
      if (this.needsPing(entry.since)) {
        const ok = await this.ping(connection, deadline)
        if (!ok) {
          this.discardActive(connection)
          continue
        }
      }
      if (this.options.prepare !== undefined) {
        let ok: boolean
        try {
          ok = await this.options.prepare(connection, context, deadline)
        } catch (error) {
          this.discardActive(connection)
          throw error
        }
        if (!ok) {
          this.discardActive(connection)
          continue
        }
      }
      connection.acquired()
      return connection
    }
    return undefined
  }

  private async ping (connection: C, deadline: number): Promise<boolean> {
    const budget = Math.min(this.options.pingTimeout, deadline - this.now())
    if (budget <= 0) return false
    try {
      // Real time: the ping is network I/O (see lib/clock.ts).
      await withTimeout(systemClock, connection.ping(), budget, () => { throw new Error('liveness check timed out') })
      return true
    } catch {
      this.options.log(`liveness check failed for an idle connection to ${this.options.address}; opening another`)
      return false
    }
  }

  private async openNew (deadline: number, context: unknown): Promise<C> {
    this.opening++
    let connection: C
    try {
      connection = await this.options.open(deadline, context)
    } catch (error) {
      this.opening--
      // The slot is free again: a waiter may open its own connection.
      this.serveWaitersWithNewConnections()
      throw error
    }
    this.opening--
    if (this.closed) {
      this.destroy(connection)
      throw neo4jError(`The driver was closed while connecting to ${this.options.address}`, DRIVER_CLOSED)
    }
    this.active.add(connection)
    connection.acquired()
    return connection
  }

  private async enqueue (deadline: number, context: unknown): Promise<C> {
    return await new Promise<C>((resolve, reject) => {
      const waiter: Waiter<C> = { resolve, reject, timer: undefined, deadline, context }
      const wait = deadline - this.now()
      const expire = (): void => {
        const state = this.describe() // before leaving the queue, so the count includes this caller
        const index = this.waiters.indexOf(waiter)
        if (index >= 0) this.waiters.splice(index, 1)
        reject(new AcquisitionTimeoutError(
          `Could not acquire a connection to ${this.options.address} in time: ${state}. ` +
          'Every connection is in use: raise maxConnectionPoolSize or connectionAcquisitionTimeout, or make sure ' +
          'sessions and results are closed/consumed.', this.options.address))
      }
      if (wait <= 0) { expire(); return }
      // Beyond setTimeout's range (≈ 24.8 days) means "wait as long as it takes".
      if (wait < MAX_TIMER_MS) waiter.timer = this.clock.setTimeout(expire, wait)
      this.waiters.push(waiter)
    })
  }

  /** After a slot frees up without a connection to hand over, open new ones for waiters. */
  private serveWaitersWithNewConnections (): void {
    while (this.waiters.length > 0 && this.active.size + this.opening < this.options.maxSize && !this.closed) {
      const waiter = this.waiters.shift() as Waiter<C>
      this.clearWaiterTimer(waiter)
      this.openNew(waiter.deadline, waiter.context).then(waiter.resolve, waiter.reject)
    }
  }
}

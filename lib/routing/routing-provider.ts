// The routing-table manager (neo4j:// schemes). Keeps one table per database,
// refreshes it when stale for the mode asked (one refresh per database at a
// time), picks a member (least connected, round-robin ties), and reacts to
// errors at once: an unreachable member is forgotten, a member that is no
// longer leader stops being the writer.

import { isUserSwitchUnsupported, type AuthToken } from '../auth/auth.js'
import { MAX_TIMER_MS, sleep, systemClock, withTimeout } from '../clock.js'
import { SECOND_OPINION_POLL_MS, WRITERLESS_ANSWER_REUSE_MS } from '../cluster-timing.js'
import type { ConnectionTarget, RouteRequest } from '../connection/route-types.js'
import { routeTimeoutError } from '../connection/wire-errors.js'
import { DiscoveryError, MemberReplacedError, neo4jError, SESSION_EXPIRED, SERVICE_UNAVAILABLE, isConnectionLost, isMemberUnresponsive, markRetryable, routingReaction, tagAwaitingLeader, codeOf, DATABASE_NOT_FOUND, type RouterAttempt } from '../errors.js'
import { publish } from '../events.js'
import type { Neo4jError } from 'neo4j-driver-core'
import type { Log } from '../log.js'
import { homeDatabaseKey, HomeDatabaseCache } from './home-database-cache.js'
import { checkMember, NO_BOOKMARKS, type Acquired, type AcquireRequest, type BookmarkSource, type ConnectionProvider, type MemberInfo } from './provider.js'
import type { MemberConnection, MemberConnections, MemberConnectionsFactory } from './member-connections.js'
import { discover, noMemberError } from './rediscovery.js'
import { DEFAULT_DATABASE, describeTable, isExpired, isStaleFor, servesMode, snapshot, type AccessMode, type RoutingTable, type RoutingTableSnapshot } from './routing-table.js'
import { resolveSeed } from './seed.js'
import { selectReader, selectWriter } from './selection.js'
import { SingleFlight } from './single-flight.js'
import { TableRegistry } from './table-registry.js'

/** How long a member whose connection failed stays out of fresh routing tables. */
export const QUARANTINE_MS = 5_000

/**
 * While a database has no leader (an election), every session waiting to
 * write polls for a fresh table (at LEADER_POLL_MS). Refreshes are
 * single-flight per database, but a session waking just after one ended would
 * start the next at once: N waiting sessions would then ask up to N times per
 * poll period. An answer without a writer is reused for
 * WRITERLESS_ANSWER_REUSE_MS instead, by retry attempts only (a new call
 * always asks), so an election costs about one ROUTE per period per
 * database, however many sessions wait.
 */
export { WRITERLESS_ANSWER_REUSE_MS }

/** How often a quarantined sole candidate is tried while it stays in the tables (see pacedOut). */
export const QUARANTINED_RETRY_MS = 250

/**
 * The only member that serves a mode refused a connection moments ago: wait
 * for a table that names another (retryable; for writes, like an election).
 */
function quarantinedOnlyCandidate (database: string, mode: AccessMode, address: string, refusedAgoMs: number): Neo4jError {
  const role = mode === 'WRITE' ? 'writer (leader)' : 'reader'
  const error = neo4jError(`The only ${role} for '${database}', ${address}, could not be reached ${Math.round(refusedAgoMs)} ms ago; ` +
    'waiting for the cluster to name another (a leader election may be in progress) before trying it again', SESSION_EXPIRED)
  if (mode === 'WRITE') tagAwaitingLeader(error)
  return error
}

/** A safety bound on one second opinion's polls (the probe's verdict ends it within a second or two). */
const MAX_SECOND_OPINION_POLLS = 200

export interface RoutingProviderOptions<C extends MemberConnection> {
  /** Builds the connections to route over, told of unresponsive and replaced members by this provider. */
  readonly connections: MemberConnectionsFactory<C>
  /** The URL's 'host:port'. */
  readonly seed: string
  readonly routingContext: Readonly<Record<string, string>>
  readonly resolver: ((address: string) => string[] | Promise<string[]>) | undefined
  readonly purgeDelayMs: number
  /** ms a router may take to answer ROUTE before it counts as timed out (0 = only the deadline). */
  readonly routeTimeoutMs: number
  /** The authenticated principal, for the home-database cache key (never the credentials). */
  readonly principal: string | undefined
  readonly log: Log
  readonly now?: () => number
}

export class RoutingProvider<C extends MemberConnection> implements ConnectionProvider<C> {
  private readonly pools: MemberConnections<C>
  private readonly options: RoutingProviderOptions<C>
  private readonly registry: TableRegistry
  private readonly homeDatabases = new HomeDatabaseCache()
  private readonly refreshes = new SingleFlight<string, RoutingTable>()
  private readonly offsets = new Map<string, number>()
  private readonly now: () => number
  private readonly routeContext: Readonly<Record<string, string>>
  /** database → the router whose answer is the current table. */
  private readonly answeredBy = new Map<string, string>()
  /** address → ms since epoch until which fresh tables leave it out (see withoutQuarantined). */
  private readonly quarantine = new Map<string, number>()
  /** Quarantined address → when a connection to it was last attempted (see pacedOut). */
  private readonly quarantineAttempts = new Map<string, number>()
  /** database → when ROUTE last answered without a writer (cleared by an answer with one). */
  private readonly writerlessAnswers = new Map<string, number>()

  constructor (options: RoutingProviderOptions<C>) {
    this.options = options
    this.now = options.now ?? Date.now
    this.registry = new TableRegistry(options.purgeDelayMs)
    // The official drivers add the seed address to the routing context.
    this.routeContext = { ...options.routingContext, address: options.seed }
    this.pools = options.connections({
      // A black-holed member (its requests already failed): gone for every database, like a refused connection.
      onMemberUnresponsive: (address, error) => { this.onError(error, address, null) },
      memberReplaced: async (address, signal) => await this.replacementOf(address, signal)
    })
  }

  /** No database: the driver user's home database, once a session or a refresh has resolved it. */
  routingTable (database?: string): RoutingTableSnapshot | undefined {
    const name = database ?? this.homeDatabases.get(this.ownHomeKey())
    const table = name === undefined ? undefined : this.registry.get(name)
    return table === undefined ? undefined : snapshot(table)
  }

  /**
   * A ROUTE now (joining one already in flight for that database), installed
   * like any refresh. `null` asks for the home database, which is resolved
   * again and cached.
   */
  async refreshRoutingTable (database: string | null, request: { bookmarks: readonly string[], deadline: number }): Promise<RoutingTableSnapshot> {
    const table = database === null
      ? await this.refreshHomeTable(this.ownHomeKey(), null, async () => request.bookmarks, request.deadline)
      : await this.refresh(database, { mode: 'READ', database, bookmarks: async () => request.bookmarks, impersonatedUser: null, deadline: request.deadline }, '')
    return snapshot(table)
  }

  /** The home-database cache key of the driver's own user (no impersonation). */
  private ownHomeKey (): string {
    return homeDatabaseKey(null, this.options.principal)
  }

  async serverInfo (request: { readonly database: string | null, readonly deadline: number }): Promise<MemberInfo> {
    const table = request.database === null
      ? await this.refreshHomeTable(this.ownHomeKey(), null, NO_BOOKMARKS, request.deadline)
      : (await this.tableFor({ mode: 'READ', database: request.database, bookmarks: NO_BOOKMARKS, impersonatedUser: null, deadline: request.deadline })).table
    let failure: unknown = neo4jError(`No servers available for database '${table.database}' with access mode 'READ'`, SERVICE_UNAVAILABLE)
    for (const address of table.readers) {
      try {
        return await checkMember(this.pools, address, request.deadline)
      } catch (error) {
        this.onError(error, address, table.database)
        failure = error
      }
    }
    throw failure
  }

  async verifyAuthentication (request: { readonly database: string, readonly auth: AuthToken | undefined, readonly deadline: number }): Promise<void> {
    const { table } = await this.tableFor({ mode: 'READ', database: request.database, bookmarks: NO_BOOKMARKS, impersonatedUser: null, auth: request.auth, deadline: request.deadline })
    const reader = table.readers[0]
    if (reader === undefined) throw neo4jError(`No servers available for database '${table.database}' with access mode 'READ'`, SERVICE_UNAVAILABLE)
    try {
      await this.pools.verifyAuthentication(reader, request.deadline, request.auth)
    } catch (error) {
      this.onError(error, reader, table.database)
      throw error
    }
  }

  async acquire (request: AcquireRequest): Promise<Acquired<C>> {
    // A named database with a fresh table (nearly every acquisition) needs no await.
    const target = this.freshTarget(request) ?? await this.tableFor(request)
    let table = target.table
    // Bounded: every failed member is forgotten, so the candidate list shrinks each pass.
    for (let pass = 0; pass <= table.readers.length + table.writers.length; pass++) {
      const address = this.select(table, request.mode)
      if (address === undefined) break
      const refusedAgo = this.pacedOut(address)
      if (refusedAgo !== undefined) {
        // The peers still name the writer whose connection just failed: a leader that died, before
        // they elect another. Forget it again so the next retry poll asks the routers (one ROUTE in
        // flight per database) and sees the new leader as soon as it is named, not at the next trial.
        if (request.mode === 'WRITE') this.registry.forgetWriter(address, table.database)
        throw quarantinedOnlyCandidate(table.database, request.mode, address, refusedAgo)
      }
      try {
        const connection = await this.pools.acquire(address, request.deadline, { auth: request.auth })
        // A working connection ends the quarantine at once: the member is up (one
        // connection of a live leader dropped, e.g. mid-COMMIT). Kept, it would pace
        // every other session to one attempt per QUARANTINED_RETRY_MS for its whole length.
        this.liftQuarantine(address)
        return { connection, database: target.database }
      } catch (error) {
        this.onError(error, address, table.database)
        // Only an unreachable member is worth skipping; anything else (pool timeout, auth) goes to the caller.
        if (!isConnectionLost(error)) throw error
        const current = this.registry.get(table.database)
        if (current === undefined || servesMode(current, request.mode).length === 0) {
          // The only writer is unreachable: a leader that just died, which its
          // peers still name until they elect another. Wait for that like for an
          // election (short steady polls), not with a backoff that grows past
          // the moment the new leader is ready.
          if (request.mode === 'WRITE') tagAwaitingLeader(error)
          throw error
        }
        table = current
      }
    }
    throw noMemberError(table.database, request.mode, table)
  }

  /**
   * A quarantined member (its connection just failed) is only in a table when
   * it is the sole candidate for a role: a leader that just died, which its
   * peers name until they elect another. Every session polling through that
   * election would open a connection to it each time (hundreds per election);
   * instead one attempt per QUARANTINED_RETRY_MS goes through (a member that
   * only refused once gets its writes back that soon), and the others wait for
   * the next table. Returns how long ago the last attempt was, when this one
   * must wait.
   */
  private pacedOut (address: string): number | undefined {
    if (!this.quarantine.has(address)) return undefined
    const now = this.now()
    const last = this.quarantineAttempts.get(address)
    if (last !== undefined && now - last < QUARANTINED_RETRY_MS) return now - last
    this.quarantineAttempts.set(address, now)
    return undefined
  }

  /** The member is out of quarantine: its time ran out, or a connection to it just worked. */
  private liftQuarantine (address: string): void {
    if (!this.quarantine.has(address)) return
    this.quarantine.delete(address)
    this.quarantineAttempts.delete(address)
  }

  onError (error: unknown, address: string, database: string | null): void {
    const reaction = routingReaction(error)
    if (reaction === 'none') return
    if (reaction === 'forget-writer') {
      markRetryable(error)
      if (database === null) return
      if (this.registry.forgetWriter(address, database).length > 0) {
        this.options.log.routing(`forgot writer ${address} for '${database}' (${codeOf(error) ?? 'error'})`)
        publish.serverForgotten({ database, address, role: 'writer', reason: codeOf(error) ?? 'unknown' })
      }
      return
    }
    // Unreachable: gone for every database. DatabaseUnavailable: only for this one.
    const scope = isConnectionLost(error) ? undefined : (database ?? undefined)
    const changed = this.registry.forgetServer(address, scope)
    if (isConnectionLost(error)) {
      this.pools.closeIdle(address)
      this.quarantine.set(address, this.now() + QUARANTINE_MS)
    }
    if (changed.length > 0) {
      const reason = isMemberUnresponsive(error) ? 'stopped answering' : isConnectionLost(error) ? 'connection failed' : (codeOf(error) ?? 'unknown')
      this.options.log.routing(`forgot ${address} for ${changed.map(d => `'${d}'`).join(', ')} (${reason})`)
      for (const db of changed) publish.serverForgotten({ database: db, address, role: 'server', reason })
    }
  }

  async close (): Promise<void> {
    await this.pools.close()
  }

  /**
   * While `address` is silent and being probed: ask the other routers, every
   * SECOND_OPINION_POLL_MS, for the tables of the databases it leads. Once one names
   * another writer, the cluster has elected a new leader: resolves with the
   * reason, so the silent member's requests fail now (and are retried there)
   * instead of when the probe times out. Undefined when the member leads
   * nothing (a silent reader: the probe decides) or the probe decided first.
   */
  private async replacementOf (address: string, signal: AbortSignal): Promise<Error | undefined> {
    const led = this.registry.databases().filter(database => this.registry.get(database)?.writers.includes(address) === true)
    if (led.length === 0) return undefined
    // Bounded: the probe's verdict aborts the signal long before the last poll.
    for (let poll = 0; poll < MAX_SECOND_OPINION_POLLS && !signal.aborted; poll++) {
      for (const database of led) {
        const deadline = this.now() + (this.options.routeTimeoutMs > 0 ? this.options.routeTimeoutMs : MAX_TIMER_MS)
        const table = await this.refresh(database, { mode: 'WRITE', database, bookmarks: NO_BOOKMARKS, impersonatedUser: null, deadline }, '', address)
          .catch(() => undefined)
        if (signal.aborted) return undefined
        const successor = table?.writers.find(writer => writer !== address)
        if (successor !== undefined && table?.writers.includes(address) === false) {
          return new MemberReplacedError(`the other members elected ${successor} leader of '${database}' while it was silent`)
        }
      }
      await sleep(systemClock, SECOND_OPINION_POLL_MS, signal)
    }
    return undefined
  }

  private select (table: RoutingTable, mode: AccessMode): string | undefined {
    const key = `${table.database}\u0000${mode}`
    const load = (address: string): number => this.pools.load(address)
    const chosen = mode === 'READ' ? selectReader(table, load, this.offsets.get(key) ?? 0) : selectWriter(table, load, this.offsets.get(key) ?? 0)
    if (chosen === null) return undefined
    this.offsets.set(key, chosen.nextOffset)
    return chosen.address
  }

  /**
   * A table fresh for the mode, refreshing it (once, shared) when needed, and
   * the database the work must name (null: none, the server resolves the home
   * database). A session that names no database resolves its home database
   * with a ROUTE of its own, as the official drivers do: an administrator may
   * have changed it since. Only when every member routes on the server side
   * (`ssr.enabled`) is the user's last known home database good enough to
   * route by: the work then names no database and a member that does not
   * serve it forwards.
   */
  private async tableFor (request: AcquireRequest): Promise<{ table: RoutingTable, database: string | null }> {
    if (request.database === null) {
      // Per user: a session with its own auth has its own home database (auth.ts homeDatabaseKey).
      const homeKey = homeDatabaseKey(request.impersonatedUser, this.options.principal, request.auth)
      const guess = this.pools.serverSideRouting() ? this.homeDatabases.get(homeKey) : undefined
      const guessed = guess === undefined ? undefined : this.registry.get(guess)
      if (guessed !== undefined && !isStaleFor(guessed, request.mode, this.now())) return { table: guessed, database: null }
      const table = await this.refreshHomeTable(homeKey, request.impersonatedUser, request.bookmarks, request.deadline, request.auth)
      if (isStaleFor(table, request.mode, this.now())) throw noMemberError(table.database, request.mode, table)
      // The session keeps this name for its next transactions; DEFAULT_DATABASE ('') is never sent.
      return { table, database: table.database }
    }
    const fresh = this.freshTarget(request)
    if (fresh !== undefined) return fresh
    const database = request.database
    const now = this.now()
    const cached = this.registry.get(database)
    if (cached !== undefined && request.mode === 'WRITE' && request.retrying === true && this.writerlessAnswerIsFresh(cached, now)) {
      // The election is still on as far as we know: the caller polls again (retryable, no ROUTE now).
      throw noMemberError(database, request.mode, cached)
    }
    const table = await this.refresh(database, request, '')
    if (isStaleFor(table, request.mode, this.now())) throw noMemberError(table.database, request.mode, table)
    return { table, database }
  }

  /** The cached table of a named database while it is fresh for the request's mode; undefined otherwise (tableFor decides). */
  private freshTarget (request: AcquireRequest): { table: RoutingTable, database: string } | undefined {
    if (request.database === null) return undefined
    const cached = this.registry.get(request.database)
    return cached !== undefined && !isStaleFor(cached, request.mode, this.now()) ? { table: cached, database: request.database } : undefined
  }

  /** ROUTE without a database: the user's home database, resolved now and remembered for routing-side guesses. */
  private async refreshHomeTable (homeKey: string, impersonatedUser: string | null, bookmarks: BookmarkSource, deadline: number, auth?: AuthToken): Promise<RoutingTable> {
    const table = await this.refresh(null, { mode: 'READ', database: null, bookmarks, impersonatedUser, deadline, auth }, homeKey)
    this.homeDatabases.set(homeKey, table.database)
    return table
  }

  /** `avoid`: a silent member not to ask (its own flight: a refresh that may be waiting on it is not joined). */
  private async refresh (database: string | null, request: AcquireRequest, homeKey: string, avoid?: string): Promise<RoutingTable> {
    const flightKey = `${database ?? `\u0000home:${homeKey}`}${avoid === undefined ? '' : `\u0000avoid:${avoid}`}`
    return await this.refreshes.run(flightKey, async () => {
      const query: RouteRequest = {
        routingContext: this.routeContext,
        // The unnamed default database (a server that names none) is asked for as "no database".
        database: database === DEFAULT_DATABASE ? null : database,
        impersonatedUser: request.impersonatedUser,
        bookmarks: await request.bookmarks()
      }
      // The home database: the routers of the user's last known one (the seed alone
      // may be the member that just died).
      const tableName = database ?? this.homeDatabases.get(homeKey)
      const current = tableName === undefined ? undefined : this.registry.get(tableName)
      // A router whose last answer had no writer may be on the minority side of a
      // partition (it cannot see the new leader): ask the others first.
      const noWriterFrom = current !== undefined && current.writers.length === 0 ? this.answeredBy.get(current.database) : undefined
      const known = routersHealthyFirst(current, noWriterFrom)
      const started = this.now()
      try {
        // ROUTE goes out as the session's user when it brings its own auth (as in the official driver).
        const result = await discover(this.routeAs(request.auth), {
          query,
          knownRouters: known,
          resolveSeed: async () => await resolveSeed(this.options.seed, this.options.resolver),
          deadline: request.deadline,
          now: this.now,
          avoid
        })
        this.install(result.table, result.router, result.failed, database, Math.round(this.now() - started))
        this.answeredBy.set(result.table.database, result.router)
        if (result.table.writers.length === 0) this.writerlessAnswers.set(result.table.database, this.now())
        else this.writerlessAnswers.delete(result.table.database)
        return this.registry.get(result.table.database) ?? result.table
      } catch (error) {
        // Per-session auth on a server without user switching: the official error, as the official reports it.
        if (error instanceof DiscoveryError && isUserSwitchUnsupported(error.cause)) throw error.cause
        if (error instanceof DiscoveryError) {
          this.forgetUnreachable(error.attempts)
          if (codeOf(error) === DATABASE_NOT_FOUND) {
            if (database !== null) this.registry.delete(database)
            if (request.database === null) this.homeDatabases.forget(homeKey)
          }
          this.options.log.routing(`discovery failed: ${error.message}`, 'warn')
          publish.discoveryFailed({ database, message: error.message, routersTried: error.attempts.map(a => a.address) })
        }
        throw error
      }
    })
  }

  /**
   * Whether the cached table without a writer is an answer (not a writer we
   * forgot since: NotALeader must refresh at once) young enough to reuse, and
   * no refresh is running (joining one beats waiting for the next).
   */
  private writerlessAnswerIsFresh (cached: RoutingTable, now: number): boolean {
    const answeredAt = this.writerlessAnswers.get(cached.database)
    return answeredAt !== undefined && cached.writers.length === 0 && now - answeredAt < WRITERLESS_ANSWER_REUSE_MS &&
      !isExpired(cached, now) && !this.refreshes.isRunning(cached.database)
  }

  /** ROUTE on a router connection logged on as `auth` (undefined: the driver's credentials). */
  private routeAs (auth: AuthToken | undefined): Parameters<typeof discover>[0] {
    return async (target, query, deadline) => await this.sendRoute(target, query, deadline, auth)
  }

  private readonly sendRoute = async (target: ConnectionTarget, query: RouteRequest, deadline: number, auth?: AuthToken): ReturnType<Parameters<typeof discover>[0]> => {
    const connection = await this.pools.acquire(target, deadline, { auth })
    const limit = Math.min(deadline - this.now(), this.options.routeTimeoutMs > 0 ? this.options.routeTimeoutMs : Infinity)
    let dirty = true
    publish.route({ router: connection.address, database: query.database, phase: 'sent' })
    try {
      // Real time: ROUTE is network I/O (see lib/clock.ts).
      const reply = await withTimeout(systemClock, connection.route(query), limit, () => {
        // A router that accepts bytes but never answers (black-holed) must not stall discovery.
        void connection.close()
        throw routeTimeoutError(connection.address, Math.max(0, Math.round(limit)))
      })
      dirty = false
      return reply
    } finally {
      publish.route({ router: connection.address, database: query.database, phase: 'settled' })
      await connection.release(dirty)
    }
  }

  private install (fresh: RoutingTable, router: string, failed: readonly RouterAttempt[], requested: string | null, tookMs: number): void {
    const previous = this.registry.get(fresh.database)
    const table = this.withoutQuarantined(fresh)
    const purged = this.registry.set(table, this.now())
    this.forgetUnreachable(failed)
    const installed = this.registry.get(table.database) ?? table
    this.options.log.routing(`refreshed table from ${router} in ${tookMs} ms${requested === null ? ' (home database)' : ''}: ${describeTable(installed)}` +
      (failed.length > 0 ? `; failed first: ${failed.map(f => `${f.address} (${f.reason})`).join(', ')}` : ''))
    if (purged.length > 0) this.options.log.routing(`purged tables for ${purged.map(d => `'${d}'`).join(', ')}`)
    publish.routingTable({ table: snapshot(installed), router, previousWriters: previous?.writers ?? [] })
    this.pools.retainOnly(new Set([...this.registry.knownAddresses(), this.options.seed]))
  }

  /** Routers that refused or dropped us are down for every table, not just until the TTL. */
  private forgetUnreachable (attempts: readonly RouterAttempt[]): void {
    for (const attempt of attempts) {
      if (attempt.reason === 'refused' || attempt.reason === 'connection lost' || (attempt.reason === 'timeout' && isConnectionLost(attempt.error))) {
        this.registry.forgetServer(attempt.address)
        this.quarantine.set(attempt.address, this.now() + QUARANTINE_MS)
      }
    }
  }

  /**
   * A member whose connection just failed is kept out of a fresh table's
   * readers and writers for a few seconds: the cluster may not have noticed
   * yet (a black-holed member still looks alive to its peers). Never empties
   * a role: a quarantined member is better than none.
   */
  private withoutQuarantined (table: RoutingTable): RoutingTable {
    const now = this.now()
    for (const [address, until] of this.quarantine) {
      if (until <= now) this.liftQuarantine(address)
    }
    if (this.quarantine.size === 0) return table
    const keep = (list: readonly string[]): readonly string[] => {
      const healthy = list.filter(a => !this.quarantine.has(a))
      return healthy.length > 0 ? healthy : list
    }
    const readers = keep(table.readers)
    const writers = keep(table.writers)
    return readers === table.readers && writers === table.writers ? table : { ...table, readers, writers }
  }
}

/**
 * Known routers in table order, but members we already forgot (unreachable:
 * no longer a reader or writer) last — a black-holed ex-leader would
 * otherwise cost a full ROUTE timeout on every refresh — and `askLast` (the
 * router whose answer had no writer) after the healthy ones.
 */
export function routersHealthyFirst (table: RoutingTable | undefined, askLast?: string): string[] {
  if (table === undefined) return []
  const serving = new Set([...table.readers, ...table.writers])
  const first = (r: string): boolean => serving.has(r) && r !== askLast
  return [...table.routers.filter(first), ...table.routers.filter(r => !first(r))]
}

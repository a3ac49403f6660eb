// What a member's Bolt server calls (MemberBackend): authentication, ROUTE and
// transactions, answered from this member's own copies and catalogue — or,
// with server-side routing, by the member that can run the transaction
// (server-side-routing.ts).

import type {
  AuthRequest, LoggedOn, BackendTransaction, Interruption, MemberBackend, RouteRequest, RoutingTableReply, TxRequest
} from '../bolt/backend.js'
import { FixtureError } from '../errors.js'
import { waitForBookmarks } from './bookmark-wait.js'
import { parseBookmarks } from './bookmarks.js'
import { DEFAULT_DATABASE, SYSTEM_DATABASE, type DatabaseRecord } from './catalogue.js'
import type { ClusterMember } from './member.js'
import { buildRoutingTable, type CopyView } from './routing.js'
import { routeTarget } from './server-side-routing.js'
import type { ClusterServices } from './services.js'
import { ClusterTransaction } from './transaction.js'

export class ClusterMemberBackend implements MemberBackend {
  /** Transactions this member handed to another one (server-side routing). */
  forwardedTransactions = 0

  constructor (private readonly member: ClusterMember, private readonly services: ClusterServices) {}

  get serverAgent (): string {
    return this.services.options.serverAgent
  }

  get address (): string {
    return this.member.address
  }

  authenticate (auth: AuthRequest): LoggedOn {
    return this.services.auth.logOn(auth, this.member.name)
  }

  async route (request: RouteRequest, interruption?: Interruption): Promise<RoutingTableReply> {
    const bookmarks = parseBookmarks(request.bookmarks)
    await waitForBookmarks(this.member, bookmarks, this.services.options.bookmarkWaitTimeoutMs, () => this.services.scheduler.now(), interruption)
    const record = this.resolve(request.database)
    const { view, options } = this.services
    // Listed: copies announced online by members this one has heard from within the
    // failure-detection window (itself always). Controls are never consulted: a stopped,
    // black-holed or partitioned member drops out because it falls silent.
    const copies: CopyView[] = [...record.primaries, ...record.secondaries].map((name) => {
      const copy = view.copy(name, record.name)
      return {
        member: name,
        address: view.member(name)?.address ?? name,
        role: record.primaries.includes(name) ? 'primary' : 'secondary',
        available: this.member.detector.isReachable(name) && copy?.incarnation === record.incarnation &&
          view.announcedCopyState(name, record.name) === 'online'
      }
    })
    // The leader as this member knows it when it hosts the database (so a cut-off
    // member reports no writer once its election timer fires); otherwise discovery's view.
    const own = this.member.replicaOf(record.name)
    const leader = own !== undefined && own.incarnation === record.incarnation ? own.leaderId : view.leaderOf(record.name)
    return buildRoutingTable({
      database: record.name,
      ttlSeconds: options.routingTtlSeconds,
      copies,
      leader,
      readsOnLeader: options.readsOnLeader
    })
  }

  async beginTransaction (request: TxRequest, interruption?: Interruption): Promise<BackendTransaction> {
    const bookmarks = parseBookmarks(request.bookmarks)
    await waitForBookmarks(this.member, bookmarks, this.services.options.bookmarkWaitTimeoutMs, () => this.services.scheduler.now(), interruption)
    const record = this.resolve(request.database)
    if (request.routingContext !== null && this.services.options.serverSideRouting) {
      const target = routeTarget(this.member, this.services, record, request.mode)
      const backend = target === null ? undefined : this.services.view.backendOf(target)
      if (backend !== undefined) {
        this.forwardedTransactions += 1
        // The target runs it as a transaction of its own: never routed a second time.
        return await backend.beginTransaction({ ...request, routingContext: null }, interruption)
      }
    }
    const replica = this.member.replicaOf(record.name)
    if (replica === undefined || replica.incarnation !== record.incarnation) {
      const hosts = [...record.primaries, ...record.secondaries].join(', ')
      throw new FixtureError('DatabaseUnavailable',
        `Database '${record.name}' is not hosted on ${this.member.name} (it is on ${hosts}); connect with a neo4j:// URL to be routed`)
    }
    if (replica.state === 'starting') {
      throw new FixtureError('DatabaseUnavailable', `Database '${record.name}' is starting on ${this.member.name} (catching up from the log); retry shortly`)
    }
    if (replica.state !== 'online') {
      throw new FixtureError('DatabaseUnavailable', `Database '${record.name}' is unavailable on ${this.member.name} (${
        record.requestedStatus === 'offline' ? 'the database is stopped' : replica.state})`)
    }
    const store = record.name === SYSTEM_DATABASE ? null : this.member.copies.get(record.name)?.store ?? null
    return new ClusterTransaction(this.member, this.services, request, record, replica, store)
  }

  private resolve (database: string | null): DatabaseRecord {
    const name = (database ?? DEFAULT_DATABASE).toLowerCase()
    const record = this.member.catalogue.get(name)
    if (record === undefined) throw new FixtureError('DatabaseNotFound', `Database does not exist. Database name: '${name}'.`)
    return record
  }
}

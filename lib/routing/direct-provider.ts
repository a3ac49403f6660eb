// bolt:// — every query goes to the one member in the URL. Nothing but the
// application's own work is sent: no ROUTE, no extra connection (servers and
// conformance scripts expect exactly the application's messages). Routing is
// off, so against a cluster writes fail on followers and nothing fails over:
// use neo4j:// for clusters.

import type { AuthToken } from '../auth/auth.js'
import { ILLEGAL_STATE, neo4jError } from '../errors.js'
import type { MemberConnection, MemberConnections, MemberConnectionsFactory } from './member-connections.js'
import { checkMember, type Acquired, type AcquireRequest, type ConnectionProvider, type MemberInfo } from './provider.js'
import type { RoutingTableSnapshot } from './routing-table.js'

export interface DirectProviderOptions<C extends MemberConnection> {
  /** One member: nothing to forget or replace, so no callbacks are given. */
  readonly connections: MemberConnectionsFactory<C>
  readonly address: string
}

export class DirectProvider<C extends MemberConnection> implements ConnectionProvider<C> {
  private readonly pools: MemberConnections<C>
  private readonly options: DirectProviderOptions<C>

  constructor (options: DirectProviderOptions<C>) {
    this.options = options
    this.pools = options.connections({})
  }

  async acquire (request: AcquireRequest): Promise<Acquired<C>> {
    const connection = await this.pools.acquire(this.options.address, request.deadline, { auth: request.auth })
    return { connection, database: request.database }
  }

  onError (): void {
    // One member: nothing to forget.
  }

  routingTable (): RoutingTableSnapshot | undefined {
    return undefined
  }

  async refreshRoutingTable (): Promise<RoutingTableSnapshot> {
    throw neo4jError(`bolt://${this.options.address} does not route, so there is no routing table to refresh; use neo4j:// to route over a cluster.`, ILLEGAL_STATE)
  }

  async serverInfo (request: { readonly deadline: number }): Promise<MemberInfo> {
    return await checkMember(this.pools, this.options.address, request.deadline)
  }

  async verifyAuthentication (request: { readonly auth: AuthToken | undefined, readonly deadline: number }): Promise<void> {
    await this.pools.verifyAuthentication(this.options.address, request.deadline, request.auth)
  }

  async close (): Promise<void> {
    await this.pools.close()
  }
}

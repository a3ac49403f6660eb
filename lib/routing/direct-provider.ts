// bolt:// — every query goes to the one member in the URL. If that member
// turns out to be part of a multi-member cluster, warn once: routing is off,
// so writes fail on followers and nothing fails over (the seed's advice:
// never use bolt:// for clusters).

import type { ConnectionPools } from '../connection/pools.js'
import { ILLEGAL_STATE, neo4jError } from '../errors.js'
import { publish } from '../events.js'
import type { Log } from '../log.js'
import type { Acquired, AcquireRequest, ConnectionProvider } from './provider.js'
import { fromRouteReply, type RoutingTableSnapshot } from './routing-table.js'

export interface DirectProviderOptions {
  readonly pools: ConnectionPools
  readonly address: string
  readonly log: Log
  /** ms to wait for the one-off cluster probe. */
  readonly probeTimeoutMs: number
  /** The driver's clock (deadlines). */
  readonly now?: () => number
}

export class DirectProvider implements ConnectionProvider {
  readonly pools: ConnectionPools
  private readonly options: DirectProviderOptions
  private probed = false
  private closed = false

  constructor (options: DirectProviderOptions) {
    this.options = options
    this.pools = options.pools
  }

  async acquire (request: AcquireRequest): Promise<Acquired> {
    const connection = await this.pools.acquire(this.options.address, request.deadline)
    if (!this.probed) {
      this.probed = true
      void this.probeCluster(request.database)
    }
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

  async verify (request: Omit<AcquireRequest, 'mode'>): Promise<string | null> {
    const { connection } = await this.acquire({ ...request, mode: 'READ' })
    await connection.release()
    return request.database
  }

  async close (): Promise<void> {
    this.closed = true
    await this.pools.close()
  }

  /** Ask the member, on a connection of its own, whether it routes for others; warn once if so. */
  private async probeCluster (database: string | null): Promise<void> {
    try {
      const deadline = (this.options.now ?? Date.now)() + this.options.probeTimeoutMs
      const connection = await this.pools.acquire(this.options.address, deadline)
      let dirty = true
      try {
        let timer: NodeJS.Timeout | undefined
        const reply = await Promise.race([
          connection.route({ routingContext: { address: this.options.address }, database, impersonatedUser: null, bookmarks: [] }),
          new Promise<never>((_resolve, reject) => {
            timer = setTimeout(() => {
              // No answer in time: close rather than RESET (a member that did not answer ROUTE will
              // not answer RESET either), so the connection is not held in use for another timeout.
              void connection.close()
              reject(new Error('probe timed out'))
            }, this.options.probeTimeoutMs)
          })
        ]).finally(() => clearTimeout(timer))
        dirty = false
        const table = fromRouteReply(reply, database, Date.now())
        const members = new Set([...table.routers, ...table.readers, ...table.writers])
        if (members.size > 1 && !this.closed) {
          const message = `bolt://${this.options.address} is a member of a ${members.size}-member cluster ` +
            `(${[...members].join(', ')}), but bolt:// turns routing off: writes go to this member even when it is ` +
            'not the leader, reads are not spread, and nothing fails over. Use neo4j:// for clusters.'
          this.options.log.driver(message, 'warn')
          publish.warning({ message })
        }
      } finally {
        await connection.release(dirty)
      }
    } catch {
      // A member that cannot answer ROUTE (old Bolt, standalone) is not a cluster we can warn about.
    }
  }
}

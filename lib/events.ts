// node:diagnostics_channel events: routing you can observe. Subscribers get
// plain objects (addresses, database names, codes, timings; never credentials).
//
//   import diagnostics_channel from 'node:diagnostics_channel'
//   diagnostics_channel.subscribe('neo4j-cluster:routing-table', (m) => console.log(m))

import diagnosticsChannel from 'node:diagnostics_channel'

export const CHANNELS = {
  routingTable: 'neo4j-cluster:routing-table',
  serverForgotten: 'neo4j-cluster:server-forgotten',
  discoveryFailed: 'neo4j-cluster:discovery-failed',
  retry: 'neo4j-cluster:retry',
  clusterWarning: 'neo4j-cluster:warning',
  memberProbe: 'neo4j-cluster:member-probe',
  route: 'neo4j-cluster:route',
  socketRead: 'neo4j-cluster:socket-read'
} as const

/** The public snapshot of a routing table (`driver.routingTable(db)`, the routing-table channel). */
export interface RoutingTableSnapshot {
  readonly database: string
  /** seconds, as the server sent it */
  readonly ttl: number
  /** ms since the epoch */
  readonly expiresAt: number
  readonly routers: readonly string[]
  readonly readers: readonly string[]
  readonly writers: readonly string[]
}

export interface RoutingTableEvent { table: RoutingTableSnapshot, router: string, previousWriters: readonly string[] }
export interface ServerForgottenEvent { database: string | null, address: string, role: 'server' | 'writer', reason: string }
export interface DiscoveryFailedEvent { database: string | null, message: string, routersTried: readonly string[] }
export interface RetryEvent { attempt: number, delayMs: number, code: string | undefined, message: string, elapsedMs: number, fast: boolean }
export interface WarningEvent { message: string }
/** A ROUTE request to one router: once when it is sent, once when it is answered or failed (database null: the home database). */
export interface RouteEvent { router: string, database: string | null, phase: 'sent' | 'settled' }
/**
 * A member silent for `silentMs` with a request outstanding was probed with a
 * fresh connection: 'answered' (a slow query; keep waiting) or 'unresponsive'
 * (its requests were failed and it is forgotten); `reason` says why the probe failed.
 */
export interface MemberProbeEvent { address: string, outcome: 'answered' | 'unresponsive', silentMs: number, tookMs: number, reason?: string }
/**
 * A plain TCP connection read `bytes` from its server, told just before they
 * are handled. Such reads make no socket `data` events (see
 * lib/connection/socket-reads.ts): this is how a tool times round trips.
 */
export interface SocketReadEvent { bytes: number }

const channels = {
  routingTable: diagnosticsChannel.channel(CHANNELS.routingTable),
  serverForgotten: diagnosticsChannel.channel(CHANNELS.serverForgotten),
  discoveryFailed: diagnosticsChannel.channel(CHANNELS.discoveryFailed),
  retry: diagnosticsChannel.channel(CHANNELS.retry),
  clusterWarning: diagnosticsChannel.channel(CHANNELS.clusterWarning),
  memberProbe: diagnosticsChannel.channel(CHANNELS.memberProbe),
  route: diagnosticsChannel.channel(CHANNELS.route),
  socketRead: diagnosticsChannel.channel(CHANNELS.socketRead)
}

/** Whether anyone listens on the socket-read channel: checked before a read's event is built, there being one per read. */
export function socketReadsObserved (): boolean {
  return channels.socketRead.hasSubscribers
}

function publisher<T> (channel: diagnosticsChannel.Channel): (message: T) => void {
  return (message) => { if (channel.hasSubscribers) channel.publish(message) }
}

export const publish = {
  routingTable: publisher<RoutingTableEvent>(channels.routingTable),
  serverForgotten: publisher<ServerForgottenEvent>(channels.serverForgotten),
  discoveryFailed: publisher<DiscoveryFailedEvent>(channels.discoveryFailed),
  retry: publisher<RetryEvent>(channels.retry),
  warning: publisher<WarningEvent>(channels.clusterWarning),
  memberProbe: publisher<MemberProbeEvent>(channels.memberProbe),
  route: publisher<RouteEvent>(channels.route),
  socketRead: publisher<SocketReadEvent>(channels.socketRead)
}

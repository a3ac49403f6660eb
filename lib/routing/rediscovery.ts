// One rediscovery: ask routers for a table, known routers first, then the seed
// (resolver → DNS, every address), until one answers with a usable table.
// Every router tried is recorded with why it failed, so the final error says
// what happened (refused, timeout, TLS, auth, unknown database, protocol)
// instead of "no routing servers available".

import { Neo4jError } from 'neo4j-driver-core'
import { isUserSwitchUnsupported } from '../auth/auth.js'
import type { ConnectionTarget, RouteReply, RouteRequest } from '../connection/route-types.js'
import { connectFailureKind } from '../connection/wire-errors.js'
import {
  codeOf, CONFIGURATION_ERROR, DATABASE_NOT_FOUND, DiscoveryError, INVALID_BOOKMARK, INVALID_BOOKMARK_MIXTURE, isConnectionLost, neo4jError,
  PROTOCOL_ERROR, SESSION_EXPIRED, tagAwaitingLeader, tagBudgetSpent, type RouterAttempt, type RouterFailureReason
} from '../errors.js'
import { fromRouteReply, RoutingTableError, type RoutingTable } from './routing-table.js'
import type { SeedResolution } from './seed.js'

/** Sends ROUTE to one router (the provider implements it over its member connections). */
export type RouteSender = (target: ConnectionTarget, query: RouteRequest, deadline: number) => Promise<RouteReply>

export interface DiscoveryInput {
  readonly query: RouteRequest
  /** Routers of the current table for this database (tried first, in order). */
  readonly knownRouters: readonly string[]
  readonly resolveSeed: () => Promise<SeedResolution>
  /** ms since epoch; no router is tried after it. */
  readonly deadline: number
  readonly now: () => number
  /** A member not to ask at all, not even as the seed (it is silent: a ROUTE there would only wait). */
  readonly avoid?: string
}

export interface DiscoveryResult {
  readonly table: RoutingTable
  /** The router that answered. */
  readonly router: string
  /** Routers that failed before it (the caller forgets them). */
  readonly failed: readonly RouterAttempt[]
}

/** Errors that end discovery at once: every other router would say the same. */
export function endsDiscovery (error: unknown): boolean {
  const code = codeOf(error)
  if (code === undefined) return false
  if (code === DATABASE_NOT_FOUND || code === INVALID_BOOKMARK || code === INVALID_BOOKMARK_MIXTURE) return true
  if (code === 'Neo.ClientError.Statement.ArgumentError' || code === 'Neo.ClientError.Statement.TypeError') return true
  if (code === 'Neo.ClientError.Request.Invalid') return true
  // The driver's own configuration (an unreadable client certificate), or per-session auth on a
  // cluster older than Bolt 5.1: the same for every router.
  if (code === CONFIGURATION_ERROR || isUserSwitchUnsupported(error)) return true
  return code.startsWith('Neo.ClientError.Security.') && code !== 'Neo.ClientError.Security.AuthorizationExpired'
}

export function routerFailureReason (error: unknown): RouterFailureReason {
  const kind = connectFailureKind(error)
  if (kind === 'refused' || kind === 'timeout' || kind === 'tls' || kind === 'dns') return kind
  if (kind === 'handshake') return 'protocol'
  const code = codeOf(error)
  if (code?.startsWith('Neo.ClientError.Security.') === true) return 'auth'
  if (code === DATABASE_NOT_FOUND) return 'unknown database'
  if (code === PROTOCOL_ERROR || error instanceof RoutingTableError) return 'protocol'
  if (isConnectionLost(error)) return 'connection lost'
  return 'other'
}

function asError (error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error))
}

export async function discover (send: RouteSender, input: DiscoveryInput): Promise<DiscoveryResult> {
  const attempts: RouterAttempt[] = []
  const tried = new Set<string>()
  const tryRouter = async (target: ConnectionTarget, label: string): Promise<RoutingTable | undefined> => {
    tried.add(label)
    if (input.now() >= input.deadline) {
      const notTried = new Error('not tried: the time budget (connection acquisition or retry deadline) ran out')
      tagBudgetSpent(notTried)
      attempts.push({ address: label, reason: 'timeout', error: notTried })
      return undefined
    }
    try {
      const reply = await send(target, input.query, input.deadline)
      return fromRouteReply(reply, input.query.database, input.now())
    } catch (error) {
      attempts.push({ address: label, reason: routerFailureReason(error), error: asError(error) })
      if (endsDiscovery(error)) throw new DiscoveryError(input.query.database, attempts, error as Neo4jError)
      return undefined
    }
  }
  // Bounded: each known router and each seed address is tried at most once.
  for (const router of input.knownRouters) {
    if (router === input.avoid) continue
    const table = await tryRouter({ hostPort: router }, router)
    if (table !== undefined) return { table, router, failed: attempts }
  }
  const seed = await input.resolveSeed()
  for (const failure of seed.failures) attempts.push({ address: failure.address, reason: 'dns', error: failure.error })
  for (const target of seed.targets) {
    const label = target.resolvedHost === undefined ? target.hostPort : `${target.hostPort}(${target.resolvedHost})`
    if (tried.has(label) || target.hostPort === input.avoid) continue
    const table = await tryRouter(target, label)
    if (table !== undefined) return { table, router: label, failed: attempts }
  }
  throw new DiscoveryError(input.query.database, attempts)
}

/** For a table without a writer when one is needed: a retryable "no writer yet" error (an election is likely running). */
export function noMemberError (database: string, mode: 'READ' | 'WRITE', table: RoutingTable): Neo4jError {
  const what = mode === 'WRITE' ? 'no writer (leader)' : 'no reader'
  const error = neo4jError(`The routing table for '${database}' has ${what} right now ` +
    `(writers=[${table.writers.join(', ')}], readers=[${table.readers.join(', ')}]); a leader election may be in progress`,
  SESSION_EXPIRED)
  if (mode === 'WRITE') tagAwaitingLeader(error)
  return error
}

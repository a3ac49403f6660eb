// The one door between routing and connections: what the routing layer needs
// of the connections to cluster members, declared here where it is consumed
// (as neo4j-go-driver's router declares its Pool). lib/connection's
// ConnectionPools implements it; the routing specs use plain fakes of it. The
// connection layer reports back only through the callbacks it is built with
// (MemberEvents), never by the routing layer setting fields on it.

import type { ProtocolVersion } from 'neo4j-driver-core'
import type { AuthToken } from '../auth/auth.js'
import type { ConnectionTarget, RouteReply, RouteRequest } from '../connection/route-types.js'

/** What routing does with one connection it acquired: ROUTE, describe the member, give it back. */
export interface MemberConnection {
  /** 'host:port' of the member (the pool key). */
  readonly address: string
  route: (request: RouteRequest) => Promise<RouteReply>
  /** Give it back; `dirty`: something is unfinished on it (a RESET goes first). */
  release: (dirty?: boolean) => Promise<void>
  close: () => Promise<void>
  /** `{ address }` as the server reported it (getServerInfo). */
  readonly server: { address: string }
  readonly serverAgent: string | undefined
  getProtocolVersion: () => ProtocolVersion
  /** Nothing has been sent since the logon (the connection just proved itself). */
  justAuthenticated: () => boolean
  resetAndFlush: () => Promise<void>
}

/** The connections to every member, as the routing layer uses them. */
export interface MemberConnections<C extends MemberConnection = MemberConnection> {
  /** A connection by `deadline` (the driver clock's ms), logged on as `auth` says (undefined: the driver's credentials). */
  acquire: (target: ConnectionTarget | string, deadline: number, auth?: { readonly auth?: AuthToken }) => Promise<C>
  /** Log on as `token` on a connection to `target` and wait for the answer (verifyAuthentication). */
  verifyAuthentication: (target: string, deadline: number, token: AuthToken | undefined) => Promise<void>
  /** Connections in use or opening at `address` (what least-connected selection compares). */
  load: (address: string) => number
  /** Close the idle connections to a member that was forgotten. */
  closeIdle: (address: string) => void
  /** Close idle connections to every member not in `keep` (members no routing table mentions). */
  retainOnly: (keep: ReadonlySet<string>) => void
  /** Every open connection's server routes on the server side (`ssr.enabled`): a cached home database may be routed by. */
  serverSideRouting: () => boolean
  close: () => Promise<void>
}

/** What the connection layer tells routing, given to it at construction. */
export interface MemberEvents {
  /** A member stopped answering (its requests were already failed): forget it. */
  readonly onMemberUnresponsive?: (hostPort: string, error: Error) => void
  /**
   * Asked while a silent member is probed: resolves with an Error once the
   * rest of the cluster replaced it (another leader elected), else undefined.
   */
  readonly memberReplaced?: (hostPort: string, signal: AbortSignal) => Promise<Error | undefined>
}

/** Builds the connections a provider routes over, wired to that provider's callbacks. */
export type MemberConnectionsFactory<C extends MemberConnection> = (events: MemberEvents) => MemberConnections<C>

// The module that opens connections over neo4j-driver-bolt-connection's
// internals (deep imports typed by ./bolt-internals.d.ts; besides this one,
// only what it installs on each connection reaches them: the socket reads
// and writes, ./socket-reads.ts and ./output-buffer.ts; the receive timeout,
// ./receive-timeout.ts; the packing of requests, ./request-packing.ts; and
// the decoding, ./message-framing.ts, ./map-decoding.ts and
// ./success-metadata.ts). It opens a connection (TCP/TLS, handshake,
// HELLO/LOGON) under one deadline, tags network errors so the routing layer
// can react to them (the error shaping is in ./wire-errors.ts), sends ROUTE,
// and adapts the few behaviours we change: BEGIN without its own socket
// write, requests orphaned by an answer that cannot be handled, and what it
// installs per connection.

import wire, { type ChannelConnection, type ChannelLike, type LoadedClientCertificate } from 'neo4j-driver-bolt-connection/lib/connection/index.js'
import channelModule from 'neo4j-driver-bolt-connection/lib/channel/index.js'
import { GQLError, internal, Neo4jError, ProtocolVersion, toNumber, type NotificationFilter } from 'neo4j-driver-core'
import { neo4jError, PROTOCOL_ERROR, SERVICE_UNAVAILABLE, SESSION_EXPIRED, tagBudgetSpent, tagConnectionLost } from '../errors.js'
import { describeRaw } from '../messages.js'
import { MAX_TIMER_MS, systemClock, withTimeout } from '../clock.js'
import { DRIVER_PRODUCT } from '../version.js'
import { splitHostPort } from '../url.js'
import { decodeMapsAsPlainObjects } from './map-decoding.js'
import { frameMessagesInPlace } from './message-framing.js'
import { openChannel } from './socket-reads.js'
import { flushWithoutReallocating } from './output-buffer.js'
import { packPlainRequestsDirectly } from './request-packing.js'
import { keepReceiveTimerSet } from './receive-timeout.js'
import { renameForSummaryWithoutDelete } from './success-metadata.js'
import type { ReceiveClock } from './receive-clock.js'
import type { ConnectionTarget, RouteReply, RouteRequest } from './route-types.js'
import {
  connectFailure, networkErrorCode, normalizeConnectError, protocolViolation, rewriteAsProtocolViolation
} from './wire-errors.js'

export { connectFailureKind, isProtocolViolation, routeTimeoutError, unresponsiveError, type ConnectFailureKind } from './wire-errors.js'

const { ServerAddress } = internal.serverAddress
const { Bookmarks } = internal.bookmarks
const { Logger } = internal.logger

export type WireConnection = ChannelConnection
export type { ConnectionTarget, RouteReply, RouteRequest }
export type { LoadedClientCertificate }

/** Read a client certificate's files (PEM cert chain, key, key password) as bolt-connection's node channel does. */
export async function loadClientCertificate (certificate: object): Promise<LoadedClientCertificate> {
  return await channelModule.ClientCertificatesLoader.load(certificate)
}

const BOLT_4_0 = new ProtocolVersion(4, 0)
const BOLT_4_3 = new ProtocolVersion(4, 3)

export interface ConnectOptions {
  readonly encrypted: boolean
  readonly trust: string | undefined
  readonly trustedCertificates: readonly string[]
  /** ms for the whole open: TCP/TLS + handshake + HELLO/LOGON (0 = none). */
  readonly connectionTimeout: number
  readonly disableLosslessIntegers: boolean
  readonly useBigInt: boolean
  readonly notificationFilter: NotificationFilter | undefined
  /** Never send TELEMETRY, even to a server that asks for it. */
  readonly telemetryDisabled?: boolean
  /** HELLO `routing`; null for a direct (bolt://) driver. */
  readonly routingContext: Readonly<Record<string, string>> | null
  readonly userAgent: string
  /** Who HELLO/LOGON logs on as. */
  readonly authToken: object
  /** The client certificate for mutual TLS (loaded; asked for each new connection), if any. */
  readonly clientCertificate?: () => Promise<LoadedClientCertificate | null>
  /**
   * Told of every Neo.ClientError.Security.* error on a connection (a FAILURE,
   * or a failed LOGON), with that connection, before anyone else sees the error.
   */
  readonly onSecurityError?: (error: Neo4jError, connection: WireConnection | undefined) => void
  /** ms of silence while a request is outstanding before the connection is declared dead (0 = off). */
  readonly receiveTimeout: number
  /**
   * Told when a connection opens (after HELLO) and closes, with whether its
   * server advertised server-side routing (the `ssr.enabled` hint).
   */
  readonly onServerSideRouting?: (enabled: boolean, action: 'OPEN' | 'CLOSE') => void
}

export interface BoltAgent { product: string, platform: string, languageDetails: string }

/**
 * What HELLO's bolt_agent says: the driver itself, whatever userAgent the
 * application chose (servers read bolt_agent to know which driver runs).
 */
export function boltAgent (): BoltAgent {
  return { product: DRIVER_PRODUCT, platform: `${process.platform} ${process.arch}`, languageDetails: `Node/${process.versions.node}` }
}

function createErrorHandler (routing: boolean, onSecurityError: ConnectOptions['onSecurityError']): ReturnType<typeof wire.ConnectionErrorHandler.create> {
  const code = networkErrorCode(routing)
  const handler = wire.ConnectionErrorHandler.create({
    errorCode: code,
    handleUnavailability: (error, address) => {
      // Network failures carry the handler's code; servers never send these two codes.
      if (error.code === SESSION_EXPIRED || error.code === SERVICE_UNAVAILABLE) tagConnectionLost(error)
      return error
    },
    handleWriteFailure: (error) => error,
    handleSecurityError: (error, _address, connection) => {
      onSecurityError?.(error, connection)
      return error
    }
  })
  // Every error bolt-connection reports passes here. Servers always send
  // `Neo.`-prefixed codes; anything else is a protocol violation that must
  // reach the application as a ProtocolError (a Neo4jError naming the member),
  // never as Node's RangeError or a TypeError from a decoder.
  const categorized = handler.handleAndTransformError.bind(handler)
  /**
   * A refused LOGON pipelined before a request (a pooled connection switching
   * user) reaches bolt-connection as a fatal ProtocolError carrying the
   * server's message; the requests waiting on the connection get that. Give
   * them the server's own error instead (Unauthorized, TokenExpired…), which
   * says what happened and keeps its code.
   */
  let securityFailure: Neo4jError | undefined
  handler.handleAndTransformError = (error, address, connection) => {
    const hostPort = address.asHostPort()
    if (error instanceof Neo4jError && error.code?.startsWith('Neo.ClientError.Security.') === true) securityFailure = error
    else if (error instanceof Neo4jError && error.code === PROTOCOL_ERROR && securityFailure !== undefined && error.message === securityFailure.message) {
      return securityFailure
    }
    // A decoder threw (a length running past the end of a message, a value of
    // the wrong type): bolt-connection treats it as fatal, the connection is broken.
    if (!((error as unknown) instanceof GQLError)) {
      return protocolViolation(hostPort, `could not be decoded (${describeRaw(error)})`, error as unknown)
    }
    const handled = categorized(error, address, connection)
    if (!(handled instanceof Neo4jError)) return handled // a GQL cause inside a server FAILURE
    if (connection?.isOpen() === false) {
      // A fatal error without a code: bytes we could not make sense of ("Unknown packed value …").
      if (handled.code === 'N/A' || handled.code === undefined) rewriteAsProtocolViolation(handled, hostPort, 'could not be decoded')
    } else if (!handled.code?.startsWith('Neo.')) {
      // A FAILURE whose code no server sends (missing, mangled): the stream is not what Neo4j speaks.
      rewriteAsProtocolViolation(handled, hostPort, `was a FAILURE without a valid Neo4j code (code ${JSON.stringify(handled.code)})`)
    }
    return handled
  }
  return handler
}

function toServerAddress (target: ConnectionTarget): InstanceType<typeof ServerAddress> {
  const { host, port } = splitHostPort(target.hostPort)
  return new ServerAddress(host, target.resolvedHost ?? null, port, target.hostPort)
}

/**
 * Open and authenticate a connection. Resolves only once HELLO/LOGON
 * succeeded; every failure closes the socket (a failed LOGON would otherwise
 * keep it open) and rejects with a Neo4jError tagged with the address.
 */
export async function openConnection (target: ConnectionTarget, options: ConnectOptions, deadline = Infinity): Promise<WireConnection> {
  const routing = options.routingContext !== null
  let channel: ChannelLike | undefined
  let connection: WireConnection | undefined
  let timedOut = false
  /** Where the open failed: a close during the handshake hints at a TLS/plain-text mismatch or a non-Bolt port. */
  let handshaking = true
  // connectionTimeout bounds the TCP (and TLS) connect, as in the official
  // drivers; the Bolt handshake and logon that follow have the caller's
  // deadline (connection acquisition, the retry budget, a probe's bound).
  const budget = deadline - Date.now()
  const connectBudget = Math.min(options.connectionTimeout > 0 ? options.connectionTimeout : Infinity, budget)
  if (budget <= 0) {
    const spent = connectFailure(target, `no time left to connect to ${target.hostPort} (deadline passed)`, routing, 'timeout')
    tagBudgetSpent(spent)
    throw spent
  }
  /**
   * Security errors reach options.onSecurityError only once the connection
   * logged on: a refused HELLO/LOGON is the caller's error (as in the official
   * driver, whose pool creates connections without its security handler).
   */
  let established = false
  const onSecurityError: ConnectOptions['onSecurityError'] = options.onSecurityError === undefined
    ? undefined
    : (error, conn) => { if (established) options.onSecurityError?.(error, conn) }
  const open = async (): Promise<WireConnection> => {
    const clientCertificate = options.clientCertificate === undefined ? null : await options.clientCertificate()
    if (timedOut) throw new Error('timed out')
    const conn = await wire.createChannelConnection(
      toServerAddress(target),
      {
        encrypted: options.encrypted,
        trust: options.trust,
        trustedCertificates: [...options.trustedCertificates],
        connectionTimeout: connectBudget < MAX_TIMER_MS ? Math.max(1, Math.round(connectBudget)) : 0,
        disableLosslessIntegers: options.disableLosslessIntegers,
        useBigInt: options.useBigInt,
        notificationFilter: options.notificationFilter,
        telemetryDisabled: options.telemetryDisabled !== false
      },
      createErrorHandler(routing, onSecurityError),
      Logger.noOp(),
      clientCertificate,
      options.routingContext === null ? null : { ...options.routingContext },
      serverSideRoutingReporter(options.onServerSideRouting),
      (channelConfig) => { channel = openChannel(channelConfig); return channel }
    )
    connection = conn
    handshaking = false
    failOrphanedRequests(conn)
    frameMessagesInPlace(conn)
    flushWithoutReallocating(conn.protocol()._chunker)
    keepReceiveTimerSet(conn._ch)
    packPlainRequestsDirectly(conn.protocol())
    decodeMapsAsPlainObjects(conn.protocol()._unpacker)
    renameForSummaryWithoutDelete(conn.protocol()._responseHandler)
    try {
      if (timedOut) throw new Error('timed out')
      await conn.connect(options.userAgent, { ...boltAgent() }, options.authToken)
      if (timedOut) throw new Error('timed out')
    } catch (error) {
      // A failed LOGON leaves the socket open; a late success after the timeout would leak it.
      await conn.close().catch(() => {})
      throw error
    }
    if (options.receiveTimeout > 0) conn._ch.setupReceiveTimeout(options.receiveTimeout)
    established = true
    return conn
  }
  try {
    // Real time: the socket waits in real time whatever clock the driver reads.
    return await withTimeout(systemClock, open(), budget, () => {
      timedOut = true
      throw connectFailure(target, `could not connect to ${target.hostPort} within ${Math.round(budget)} ms ` +
        '(TCP connect, Bolt handshake and authentication: the time left for it); the member may be down or black-holed', routing, 'timeout')
    })
  } catch (error) {
    if (timedOut) {
      // The race was lost to the timer: tear down whatever the open got to.
      await (connection !== undefined ? connection.close() : channel?.close())?.catch(() => {})
      throw error
    }
    throw normalizeConnectError(error, target, routing, handshaking)
  }
}

/**
 * bolt-connection reports OPEN after HELLO, but CLOSE on every close() call,
 * opened or not (a failed logon, a second close): pass on one OPEN and, only
 * after it, one CLOSE per connection, so counts stay balanced.
 */
function serverSideRoutingReporter (report: ConnectOptions['onServerSideRouting']): ((enabled: boolean, action: 'OPEN' | 'CLOSE') => void) | undefined {
  if (report === undefined) return undefined
  let state: 'new' | 'open' | 'closed' = 'new'
  let advertised = false
  return (enabled, action) => {
    if (action === 'OPEN' && state === 'new') {
      state = 'open'
      advertised = enabled
      report(enabled, 'OPEN')
    } else if (action === 'CLOSE' && state === 'open') {
      state = 'closed'
      report(advertised, 'CLOSE')
    }
  }
}

/**
 * Ask the member for a routing table and convert the reply: ROUTE on Bolt
 * 4.3+, the routing procedure in an auto-commit query before that
 * (`dbms.cluster.routing.getRoutingTable` on 3.0, the multi-database one on
 * 4.0–4.2, run as a READ against `system` with the bookmarks, as the official
 * drivers do). bolt-connection's protocols build either request.
 */
export async function requestRoute (connection: WireConnection, request: RouteRequest): Promise<RouteReply> {
  const protocol = connection.protocol()
  if (typeof protocol.requestRoutingInformation !== 'function') {
    throw neo4jError(`server at ${connection.address.asHostPort()} speaks Bolt ${connection.getProtocolVersion().toString()}, which has no routing request`, 'ProtocolError')
  }
  const version = connection.getProtocolVersion()
  const sessionContext = version.isLessThan(BOLT_4_0)
    ? { bookmarks: Bookmarks.empty() }
    : version.isLessThan(BOLT_4_3)
      ? { bookmarks: new Bookmarks([...request.bookmarks]), mode: 'READ' as const, database: 'system' }
      : { bookmarks: new Bookmarks([...request.bookmarks]) }
  const requestRoutingInformation = protocol.requestRoutingInformation.bind(protocol)
  return await new Promise<RouteReply>((resolve, reject) => {
    requestRoutingInformation({
      routingContext: { ...request.routingContext },
      databaseName: request.database,
      impersonatedUser: request.impersonatedUser,
      sessionContext,
      onError: reject,
      onCompleted: (raw) => {
        try {
          if (raw.isNull) throw new Error('empty ROUTE reply')
          const servers = raw.servers
          if (!Array.isArray(servers)) throw new Error('ROUTE reply has no server list')
          resolve({
            ttl: toNumber(raw.ttl as number),
            db: typeof raw.db === 'string' ? raw.db : null,
            servers: servers.map((s: { role?: unknown, addresses?: unknown }) => ({
              role: String(s.role),
              addresses: Array.isArray(s.addresses) ? s.addresses.map(String) : []
            }))
          })
        } catch (e) {
          reject(neo4jError(`malformed ROUTE reply from ${connection.address.asHostPort()}: ${(e as Error).message}`, 'ProtocolError'))
        }
      }
    })
  })
}

/**
 * bolt-connection moves on to the next request in a `finally` when it handles
 * a SUCCESS or FAILURE, and then reports a decoding failure as fatal to the
 * requests still waiting — so if the answer's content makes it throw (a
 * SUCCESS whose metadata is not a map), the request that answer was for is
 * told nothing and its caller waits forever, on a connection already broken.
 * Remember that request, and once the fatal error has been handled hand it
 * the same error.
 */
function failOrphanedRequests (connection: WireConnection): void {
  const handler = connection.protocol()._responseHandler
  const handle = handler.handleResponse.bind(handler)
  handler.handleResponse = (message) => {
    const answered = handler._currentObserver
    try {
      handle(message)
    } catch (error) {
      if (answered !== undefined && handler._currentObserver !== answered) {
        // The throw goes on to bolt-connection, which breaks the connection and fails the rest synchronously.
        queueMicrotask(() => {
          const fatal = connection._error ?? protocolViolation(connection.address.asHostPort(), `could not be handled (${describeRaw(error)})`, error)
          answered.onError?.(fatal)
        })
      }
      throw error
    }
  }
}

/**
 * Requests without a socket write of their own: `send` writes them (BEGIN, or
 * RUN and its PULL) with the protocol's own `write`, told not to flush, so
 * they leave in the socket write of the next request that does flush, written
 * by the caller in the same tick (BEGIN with the RUN + PULL that follow it;
 * executeQuery's BEGIN, RUN and PULL with its COMMIT). bolt-connection flushes
 * every one of those requests itself. Should no flushing request come (it
 * threw while packing its parameters), the next macrotask flushes what is
 * left, so nothing is held back.
 */
export function writeUnflushed<T> (connection: WireConnection, send: () => T): T {
  const protocol = connection.protocol()
  const hadOwnWrite = Object.prototype.hasOwnProperty.call(protocol, 'write')
  const write = protocol.write
  protocol.write = function (this: typeof protocol, message, observer) { write.call(this, message, observer, false) }
  try {
    return send()
  } finally {
    if (hadOwnWrite) protocol.write = write
    else delete (protocol as Partial<typeof protocol>).write
    setImmediate(() => { if (connection.isOpen()) protocol._chunker.flush() })
  }
}

/** The receive timeout in force on a connection (ms): the server's hint or the receiveTimeout option; undefined when none. */
export function receiveTimeoutOf (connection: WireConnection): number | undefined {
  const timeout = connection._ch._receiveTimeout
  return typeof timeout === 'number' && timeout > 0 ? timeout : undefined
}

/** Watch an idle connection: a server close while idle marks it broken instead of failing the next user. */
export function watchIdle (connection: WireConnection, onBroken: () => void): void {
  connection._setIdle({ onError: () => { onBroken() }, onCompleted: () => {} })
}

export function unwatchIdle (connection: WireConnection): void {
  connection._unsetIdle()
}

/**
 * Feed a ReceiveClock from the connection: requests outstanding (the
 * connection starts/stops its receive timer exactly then, and never while
 * idle) and every chunk of bytes read. Installed after HELLO/LOGON, so the
 * protocol's byte handler exists.
 */
export function watchReceives (connection: WireConnection, clock: ReceiveClock): void {
  const channel = connection._ch
  const start = channel.startReceiveTimeout.bind(channel)
  const stop = channel.stopReceiveTimeout.bind(channel)
  channel.startReceiveTimeout = () => { clock.requestsOutstanding(); start() }
  channel.stopReceiveTimeout = () => { clock.noneOutstanding(); stop() }
  const deliver = channel.onmessage
  if (deliver !== undefined) channel.onmessage = (buffer) => { clock.received(); deliver(buffer) }
  if (connection.hasOngoingObservableRequests()) clock.requestsOutstanding()
}

/** Fail every request in flight on the connection with `error`, then close it. */
export function failConnection (connection: WireConnection, error: Neo4jError): void {
  try {
    connection.protocol().resetFailure()
    connection._handleFatalError(error)
  } finally {
    void connection.close().catch(() => {})
  }
}

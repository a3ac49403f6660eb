// Error shaping for the connection layer, without any bolt-connection import:
// what a failed connect was (refused, timeout, TLS, DNS, handshake), a
// rejected certificate (never retryable), protocol violations (ProtocolError
// naming the member, tagged like a lost connection) and "this member stopped
// answering". lib/connection/wire.ts applies them to what bolt-connection reports.

import { Neo4jError } from 'neo4j-driver-core'
import {
  codeOf, MemberReplacedError, neo4jError, PROTOCOL_ERROR, SERVICE_UNAVAILABLE, SESSION_EXPIRED, tagCertificateRejected, tagConnectionLost, tagMemberUnresponsive
} from '../errors.js'
import { conciseCause, firstLine } from '../messages.js'
import type { ConnectionTarget } from './route-types.js'

export function networkErrorCode (routing: boolean): string {
  // The official drivers report a lost connection as SessionExpired when
  // routing (another member can take over) and ServiceUnavailable direct.
  return routing ? SESSION_EXPIRED : SERVICE_UNAVAILABLE
}

const PROTOCOL_ADVICE = 'The connection is discarded. The member may be faulty, or this port may not serve Bolt.'

/** A ProtocolError for `hostPort`, tagged like a lost connection (the member is forgotten, a COMMIT in flight has an unknown outcome). */
export function protocolViolation (hostPort: string, what: string, cause: unknown): Neo4jError {
  const error = neo4jError(`Protocol error: the answer from ${hostPort} ${what}. ${PROTOCOL_ADVICE}`, PROTOCOL_ERROR,
    cause instanceof Error ? cause : undefined)
  tagConnectionLost(error)
  return error
}

export function rewriteAsProtocolViolation (error: Neo4jError, hostPort: string, what: string): void {
  error.code = PROTOCOL_ERROR
  error.message = `Protocol error: the answer from ${hostPort} ${what} (${error.message}). ${PROTOCOL_ADVICE}`
  tagConnectionLost(error)
}

/**
 * An error that says the member broke the protocol (an answer that failed
 * validation, e.g. an unknown query type): bolt-connection fails only the one
 * request, so the connection would go back to the pool. It must be discarded.
 */
export function isProtocolViolation (error: unknown): boolean {
  return codeOf(error) === PROTOCOL_ERROR
}

export type ConnectFailureKind = 'timeout' | 'refused' | 'tls' | 'dns' | 'handshake' | 'other'

// Registered (Symbol.for) so a second installed copy of the package reads it too.
const KIND = Symbol.for('neo4j-cluster-driver.connectFailureKind')

export function connectFailure (target: ConnectionTarget, message: string, routing: boolean, kind: ConnectFailureKind, cause?: Error): Neo4jError {
  const error = neo4jError(message, networkErrorCode(routing), cause)
  Object.defineProperty(error, KIND, { value: kind, enumerable: false })
  tagConnectionLost(error)
  return error
}

/** A router that took too long to answer ROUTE (the connection has been closed). */
export function routeTimeoutError (hostPort: string, ms: number): Neo4jError {
  return connectFailure({ hostPort }, `${hostPort} did not answer ROUTE within ${ms} ms`, true, 'timeout')
}

/** How a connect attempt failed, if it failed before the server answered. */
export function connectFailureKind (error: unknown): ConnectFailureKind | undefined {
  if (error !== null && typeof error === 'object' && KIND in error) return (error as Record<symbol, ConnectFailureKind>)[KIND]
  return undefined
}

function classifyConnectMessage (message: string): ConnectFailureKind {
  if (/ECONNREFUSED/.test(message)) return 'refused'
  if (/ENOTFOUND|EAI_AGAIN|getaddrinfo/.test(message)) return 'dns'
  if (/certificate|SSL|TLS|EPROTO|self.signed|wrong version number/i.test(message)) return 'tls'
  if (/Failed to establish connection in|ETIMEDOUT/.test(message)) return 'timeout'
  return 'other'
}

/**
 * A certificate the driver does not trust: bolt-connection reports it as
 * "Server certificate is not trusted … Socket responded with: REASON" (it
 * checks `socket.authorized` itself); Node's own wording when it checks.
 * Not a TLS failure in general: a handshake cut by a dying member is transient.
 */
const CERTIFICATE_REJECTED = /certificate is not trusted|did not return any valid certificates|self[- ]signed certificate|unable to verify the first certificate|unable to get local issuer certificate|certificate has expired|certificate is not yet valid|does not match certificate/i

export function normalizeConnectError (error: unknown, target: ConnectionTarget, routing: boolean, handshaking: boolean): Error {
  if (error instanceof Neo4jError) {
    if (error.code === SERVICE_UNAVAILABLE || error.code === SESSION_EXPIRED) {
      tagConnectionLost(error)
      let kind = classifyConnectMessage(error.message)
      if (kind === 'other' && handshaking) kind = 'handshake'
      if (kind === 'tls' && CERTIFICATE_REJECTED.test(error.message)) return certificateRejected(error, target, routing)
      if (!(KIND in error)) Object.defineProperty(error, KIND, { value: kind, enumerable: false })
    } else if (handshaking && !(KIND in error)) {
      Object.defineProperty(error, KIND, { value: 'handshake', enumerable: false })
      // Code-less handshake failures ("Unknown Bolt protocol version: 9.9", an HTTP
      // answer): the member does not speak a Bolt we offered. Say so with a code.
      if (error.code === 'N/A' || error.code === undefined) {
        error.code = PROTOCOL_ERROR
        error.message = `Protocol error: the Bolt handshake with ${target.hostPort} failed: ${error.message}. ` +
          'The member answered with a protocol version this driver did not offer, or is not a Bolt server ' +
          '(check the port: Bolt is 7687, HTTP 7474).'
      }
    }
    return error
  }
  const message = error instanceof Error ? error.message : String(error)
  return connectFailure(target, `failed to connect to ${target.hostPort}: ${message}`, routing, classifyConnectMessage(message),
    error instanceof Error ? error : undefined)
}

/**
 * The member's certificate was rejected: fail at once, saying why. Retrying
 * would not make it trusted, so it is not retryable (the routing layer still
 * sees a failed connection and tries another member).
 */
function certificateRejected (error: Neo4jError, target: ConnectionTarget, routing: boolean): Neo4jError {
  const reason = /Socket responded with: (\S+)/.exec(error.message)?.[1] ?? conciseCause(error.message, 200)
  const scheme = routing ? 'neo4j' : 'bolt'
  const rejected = connectFailure(target, `The TLS certificate of ${target.hostPort} is not trusted (${reason}), so the driver did not connect ` +
    `and sent no credentials; retrying will not change that. For a self-signed certificate use ${scheme}+ssc://; for a private CA ` +
    "set trust: 'TRUST_CUSTOM_CA_SIGNED_CERTIFICATES' with trustedCertificates; against a server without TLS use " +
    `${scheme}://.`, routing, 'tls', error)
  tagCertificateRejected(rejected)
  return rejected
}

/**
 * "This member stopped answering": what every request in flight on a
 * black-holed member fails with. A connection-level error (SessionExpired when
 * routing, ServiceUnavailable direct), so it is retryable, the routing layer
 * forgets the member, and a COMMIT in flight becomes "commit outcome unknown".
 */
export function unresponsiveError (hostPort: string, cause: Error, silentMs: number, routing: boolean): Neo4jError {
  const reason = firstLine(cause.message)
  const verdict = cause instanceof MemberReplacedError
    ? `${reason}): a request waited ${Math.round(silentMs)} ms without a byte while the others moved on; `
    : `probe failed: ${reason}): a request waited ${Math.round(silentMs)} ms without a byte, and a fresh connection got no answer either; `
  const error = neo4jError(`member ${hostPort} stopped answering (${verdict}` +
    'its connections were closed and the member is forgotten until it answers again', networkErrorCode(routing), cause)
  tagMemberUnresponsive(error)
  return error
}

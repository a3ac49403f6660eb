// What the Bolt session (state machine) and its connection (bytes) promise
// each other: the session decides what to answer, the connection how it is
// framed and when it is written.

import type { FixtureError } from '../errors.js'
import type { CypherMap, CypherValue } from '../values.js'
import type { MemberBackend } from './backend.js'
import type { StrictJudge } from './strict-rules.js'
import type { BoltVersion } from './versions.js'

export type ServerState =
  | 'NEGOTIATION' | 'AUTHENTICATION' | 'READY' | 'STREAMING' | 'TX_READY' | 'TX_STREAMING' | 'FAILED' | 'INTERRUPTED' | 'DEFUNCT'

/** Where the session's answers go (implemented by the connection). */
export interface ResponseSink {
  success: (metadata: CypherMap) => void
  /** Throws a FixtureError when the row cannot be encoded (nothing of it is sent). */
  record: (values: readonly CypherValue[]) => void
  ignored: () => void
  failure: (error: FixtureError) => void
  /**
   * Called before waiting on the backend: what is buffered must go out if the
   * wait turns out to be long (a write lock held by another transaction, a
   * bookmark wait, a commit that cannot reach a majority). The connection
   * defers it by about a millisecond, so a wait that ends sooner (a free lock,
   * a normal commit) still gets one socket write per batch of answers.
   */
  flushSoon: () => void
  /** Sends what is buffered, then ends the connection (DEFUNCT). */
  close: () => void
  /** Sends what is already buffered, then ends the connection at once (no further answer arrives). */
  destroy: () => void
}

export interface SessionContext {
  backend: MemberBackend
  connectionId: string
  version: BoltVersion
  /** The version was agreed through a Manifest v1 handshake (HELLO SUCCESS then names it). */
  negotiatedByManifest: boolean
  hints: ConnectionHints
  /** Refuses what Neo4j refuses (or, lenient, lets it pass); counts every breach. */
  judge: StrictJudge
  /** True when the next commit's answer must be dropped with the connection (chaos). */
  consumeCommitDrop: () => boolean
  isClosed: () => boolean
}

/** What HELLO SUCCESS advertises (docs-bolt appendix/connection-hints.adoc). */
export interface ConnectionHints {
  /** `connection.recv_timeout_seconds` (4.3+); absent when undefined. */
  recvTimeoutSeconds?: number
  /** `telemetry.enabled` (5.4+). */
  telemetryEnabled?: boolean
  /** `ssr.enabled` (5.8): the cluster routes transactions a member cannot run to one that can. */
  ssrEnabled?: boolean
}

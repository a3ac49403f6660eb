// Session and transaction options: validated up front and turned into what
// the wire needs. A wrong type or value of a known option throws a
// ConfigurationError naming it ("Invalid session configuration: …"); an
// unknown option is ignored, as the official driver ignores it, with a warning
// on the driver's log and the diagnostics warning channel.

import { int, internal, isInt, type Integer, type NotificationFilter, type types } from 'neo4j-driver-core'
import type { BookmarkManager } from '../bookmarks/bookmark-manager.js'
import { ConfigurationError } from '../errors.js'
import type { AuthToken } from '../auth/auth.js'
import type { Log } from '../log.js'
import type { AccessMode } from '../routing/routing-table.js'
import { isOptionOf } from '../option-names.js'
import { unknownOptionMessage, warnOnce } from '../unknown-options.js'
import { describe } from '../url.js'
import { checkAuthOption } from '../validation.js'

const { TxConfig } = internal.txConfig

export interface SessionConfig {
  defaultAccessMode?: AccessMode
  /**
   * Bookmarks to start from: one, a list, or lists of them (e.g. several
   * sessions' `lastBookmarks()`), flattened and de-duplicated.
   */
  bookmarks?: string | Array<string | string[]>
  database?: string
  impersonatedUser?: string
  fetchSize?: number
  bookmarkManager?: BookmarkManager
  notificationFilter?: NotificationFilter
  /**
   * Per-session auth: this session's work runs as this user (a pooled
   * connection logs on again with LOGOFF + LOGON, Bolt 5.1+; on older servers
   * the session's first use fails with "Driver is connected to a database
   * that does not support user switch.").
   */
  auth?: types.AuthToken
  /** Accepted for compatibility; auto-commit runs are never retried here. */
  disableAutoCommitRetries?: boolean
}

export interface TransactionConfig {
  /** ms (an Integer or a bigint too); the server aborts the transaction after it. Fractions round up. */
  timeout?: number | Integer | bigint
  metadata?: object
  /**
   * The work may safely run twice (MERGE, upserts with unique keys): a COMMIT
   * whose outcome is unknown is retried instead of reported. Only for
   * executeRead/executeWrite/executeQuery.
   */
  idempotent?: boolean
  /**
   * executeRead/executeWrite: call the work at once, without waiting for
   * BEGIN's answer, so BEGIN leaves in the same socket write as the work's
   * first query: one round trip less per transaction. The price: the work
   * starts before the server accepted the transaction, so when BEGIN fails
   * the work's first query rejects with that failure (retried like any
   * other) — code in the work before its first query may run for a
   * transaction that never began. Off by default (the official drivers'
   * behaviour). executeQuery always pipelines BEGIN; an explicit transaction
   * does whenever its first run is not held back behind `await beginTransaction()`.
   */
  pipelineBegin?: boolean
}

export interface ResolvedSessionConfig {
  readonly mode: AccessMode
  readonly bookmarks: string[]
  readonly database: string | null
  readonly impersonatedUser: string | null
  readonly fetchSize: number | undefined
  readonly bookmarkManager: BookmarkManager | undefined
  readonly notificationFilter: NotificationFilter | undefined
  /** The session's own token; undefined: the driver's credentials. */
  readonly auth: AuthToken | undefined
}

function sessionError (key: string, message: string): ConfigurationError {
  return new ConfigurationError(key, message, 'session')
}

function optionalString (key: string, value: unknown): string | null {
  if (value === undefined || value === null || value === '') return null
  if (typeof value !== 'string') throw sessionError(key, `session option '${key}' must be a string, got ${describe(value)}`)
  return value
}

/** `string | string[] | string[][]` (or a mix) → one de-duplicated list, in first-seen order. */
function flattenBookmarks (value: unknown): string[] {
  if (value === undefined || value === null) return []
  const expected = "session option 'bookmarks' must be a string, an array of strings or an array of such arrays (e.g. [s1.lastBookmarks(), s2.lastBookmarks()])"
  const items = typeof value === 'string' ? [value] : Array.isArray(value) ? value.flat() : undefined
  if (items === undefined) throw sessionError('bookmarks', `${expected}, got ${describe(value)}`)
  const bad = items.find(b => typeof b !== 'string')
  if (bad !== undefined) throw sessionError('bookmarks', `${expected}; it holds ${describe(bad)}`)
  return [...new Set(items as string[])].filter(b => b !== '')
}

export function resolveSessionConfig (config: unknown, log?: Log): ResolvedSessionConfig {
  if (config === undefined || config === null) config = {}
  if (typeof config !== 'object' || Array.isArray(config)) throw sessionError('session', `the session config must be an object, got ${describe(config)}`)
  const c = config as Record<string, unknown>
  for (const key of Object.keys(c)) {
    if (!isOptionOf('session', key)) warnOnce(log, unknownOptionMessage('session', key))
  }
  const mode = c.defaultAccessMode ?? 'WRITE'
  if (mode !== 'READ' && mode !== 'WRITE') throw sessionError('defaultAccessMode', `session option 'defaultAccessMode' must be 'READ' or 'WRITE' (neo4j.session.READ / WRITE), got ${describe(mode)}`)
  const fetchSize = c.fetchSize
  if (fetchSize !== undefined && (typeof fetchSize !== 'number' || !Number.isInteger(fetchSize) || (fetchSize <= 0 && fetchSize !== -1))) {
    throw sessionError('fetchSize', `session option 'fetchSize' must be a positive integer or -1, got ${describe(fetchSize)}`)
  }
  const manager = c.bookmarkManager
  if (manager !== undefined && manager !== null && (typeof manager !== 'object' ||
    typeof (manager as BookmarkManager).getBookmarks !== 'function' || typeof (manager as BookmarkManager).updateBookmarks !== 'function')) {
    throw sessionError('bookmarkManager', "session option 'bookmarkManager' must come from bookmarkManager() (an object with getBookmarks and updateBookmarks)")
  }
  if (c.disableAutoCommitRetries !== undefined && typeof c.disableAutoCommitRetries !== 'boolean') {
    throw sessionError('disableAutoCommitRetries', `session option 'disableAutoCommitRetries' must be a boolean, got ${describe(c.disableAutoCommitRetries)}`)
  }
  if (c.notificationFilter !== undefined && c.notificationFilter !== null && typeof c.notificationFilter !== 'object') {
    throw sessionError('notificationFilter', `session option 'notificationFilter' must be an object { minimumSeverityLevel, disabledClassifications }, got ${describe(c.notificationFilter)}`)
  }
  return {
    mode,
    bookmarks: flattenBookmarks(c.bookmarks),
    database: optionalString('database', c.database),
    impersonatedUser: optionalString('impersonatedUser', c.impersonatedUser),
    fetchSize: fetchSize as number | undefined,
    bookmarkManager: (manager ?? undefined) as BookmarkManager | undefined,
    notificationFilter: (c.notificationFilter ?? undefined) as NotificationFilter | undefined,
    auth: checkAuthOption(c.auth, message => sessionError('auth', message))
  }
}

export interface ResolvedTransactionConfig {
  /** What BEGIN carries. */
  readonly txConfig: InstanceType<typeof TxConfig>
  readonly idempotent: boolean
  readonly pipelineBegin: boolean
}

/** Our own transaction flags: never sent with BEGIN. */
const OWN_FLAGS = ['idempotent', 'pipelineBegin'] as const

/** Split our own flags (`idempotent`, `pipelineBegin`) from what BEGIN carries, validating all. */
export function resolveTransactionConfig (config: unknown, log?: Log): ResolvedTransactionConfig {
  if (config === undefined || config === null) return { txConfig: TxConfig.empty(), idempotent: false, pipelineBegin: false }
  const fail = (key: string, message: string): never => { throw new ConfigurationError(key, message, 'transaction') }
  if (typeof config !== 'object' || Array.isArray(config)) fail('transactionConfig', `the transaction config must be an object, got ${describe(config)}`)
  const c = config as Record<string, unknown>
  for (const key of Object.keys(c)) {
    if (!isOptionOf('transaction', key)) warnOnce(log, unknownOptionMessage('transaction', key))
  }
  for (const flag of OWN_FLAGS) {
    if (c[flag] !== undefined && typeof c[flag] !== 'boolean') fail(flag, `transaction option '${flag}' must be a boolean, got ${describe(c[flag])}`)
  }
  const timeout = c.timeout
  const validTimeout = timeout === undefined || timeout === null || isInt(timeout) ||
    (typeof timeout === 'bigint' && timeout >= 0n) || (typeof timeout === 'number' && Number.isFinite(timeout) && timeout >= 0)
  if (!validTimeout) fail('timeout', `transaction option 'timeout' must be a number of milliseconds ≥ 0, got ${describe(timeout)}`)
  if (c.metadata !== undefined && c.metadata !== null && (typeof c.metadata !== 'object' || Array.isArray(c.metadata))) {
    fail('metadata', `transaction option 'metadata' must be an object, got ${describe(c.metadata)}`)
  }
  // Like the official driver, a fractional timeout rounds up (never to a shorter one, never to 0 = "no timeout").
  const txTimeout = typeof timeout === 'number' ? int(Math.ceil(timeout)) : typeof timeout === 'bigint' ? int(timeout) : timeout
  return { txConfig: new TxConfig({ timeout: txTimeout, metadata: c.metadata }), idempotent: c.idempotent === true, pipelineBegin: c.pipelineBegin === true }
}

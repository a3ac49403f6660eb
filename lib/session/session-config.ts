// Session and transaction options: validated up front (a typo fails with the
// option's name instead of being ignored) and turned into what the wire needs.

import { int, internal, isInt, type Integer, type NotificationFilter } from 'neo4j-driver-core'
import type { BookmarkManager } from '../bookmarks/bookmark-manager.js'
import { ConfigurationError } from '../errors.js'
import type { AccessMode } from '../routing/routing-table.js'
import { describe } from '../url.js'

const { TxConfig } = internal.txConfig

export interface SessionConfig {
  defaultAccessMode?: AccessMode
  bookmarks?: string | string[]
  database?: string
  impersonatedUser?: string
  fetchSize?: number
  bookmarkManager?: BookmarkManager
  notificationFilter?: NotificationFilter
  /** Accepted for compatibility; auto-commit runs are never retried here. */
  disableAutoCommitRetries?: boolean
}

export interface TransactionConfig {
  /** ms (or an Integer); the server aborts the transaction after it. */
  timeout?: number | Integer
  metadata?: Record<string, unknown>
  /**
   * The work may safely run twice (MERGE, upserts with unique keys): a COMMIT
   * whose outcome is unknown is retried instead of reported. Only for
   * executeRead/executeWrite/executeQuery.
   */
  idempotent?: boolean
}

export interface ResolvedSessionConfig {
  readonly mode: AccessMode
  readonly bookmarks: string[]
  readonly database: string | null
  readonly impersonatedUser: string | null
  readonly fetchSize: number | undefined
  readonly bookmarkManager: BookmarkManager | undefined
  readonly notificationFilter: NotificationFilter | undefined
}

const SESSION_KEYS = ['defaultAccessMode', 'bookmarks', 'database', 'impersonatedUser', 'fetchSize', 'bookmarkManager', 'notificationFilter', 'disableAutoCommitRetries']

function optionalString (key: string, value: unknown): string | null {
  if (value === undefined || value === null || value === '') return null
  if (typeof value !== 'string') throw new ConfigurationError(key, `'${key}' must be a string, got ${describe(value)}`)
  return value
}

export function resolveSessionConfig (config: unknown): ResolvedSessionConfig {
  if (config === undefined || config === null) config = {}
  if (typeof config !== 'object' || Array.isArray(config)) throw new ConfigurationError('session', `session config must be an object, got ${describe(config)}`)
  const c = config as Record<string, unknown>
  for (const key of Object.keys(c)) {
    if (key === 'auth') throw new ConfigurationError('auth', 'per-session auth is not supported yet; create a driver per user')
    if (!SESSION_KEYS.includes(key)) throw new ConfigurationError(key, `unknown session option '${key}' (session options: ${SESSION_KEYS.join(', ')})`)
  }
  const mode = c.defaultAccessMode ?? 'WRITE'
  if (mode !== 'READ' && mode !== 'WRITE') throw new ConfigurationError('defaultAccessMode', `'defaultAccessMode' must be 'READ' or 'WRITE' (neo4j.session.READ / WRITE), got ${describe(mode)}`)
  let bookmarks: string[] = []
  if (typeof c.bookmarks === 'string') bookmarks = [c.bookmarks]
  else if (Array.isArray(c.bookmarks)) {
    if (!c.bookmarks.every(b => typeof b === 'string')) throw new ConfigurationError('bookmarks', "'bookmarks' must be a string or an array of strings")
    bookmarks = c.bookmarks as string[]
  } else if (c.bookmarks !== undefined && c.bookmarks !== null) throw new ConfigurationError('bookmarks', `'bookmarks' must be a string or an array of strings, got ${describe(c.bookmarks)}`)
  const fetchSize = c.fetchSize
  if (fetchSize !== undefined && (typeof fetchSize !== 'number' || !Number.isInteger(fetchSize) || (fetchSize <= 0 && fetchSize !== -1))) {
    throw new ConfigurationError('fetchSize', `'fetchSize' must be a positive integer or -1, got ${describe(fetchSize)}`)
  }
  const manager = c.bookmarkManager
  if (manager !== undefined && manager !== null && (typeof manager !== 'object' ||
    typeof (manager as BookmarkManager).getBookmarks !== 'function' || typeof (manager as BookmarkManager).updateBookmarks !== 'function')) {
    throw new ConfigurationError('bookmarkManager', "'bookmarkManager' must come from bookmarkManager() (an object with getBookmarks and updateBookmarks)")
  }
  return {
    mode,
    bookmarks,
    database: optionalString('database', c.database),
    impersonatedUser: optionalString('impersonatedUser', c.impersonatedUser),
    fetchSize: fetchSize as number | undefined,
    bookmarkManager: (manager ?? undefined) as BookmarkManager | undefined,
    notificationFilter: c.notificationFilter as NotificationFilter | undefined
  }
}

/** Split our `idempotent` flag from what BEGIN carries, validating both. */
export function resolveTransactionConfig (config: unknown): { txConfig: InstanceType<typeof TxConfig>, idempotent: boolean } {
  if (config === undefined || config === null) return { txConfig: TxConfig.empty(), idempotent: false }
  if (typeof config !== 'object' || Array.isArray(config)) throw new ConfigurationError('transactionConfig', `transaction config must be an object, got ${describe(config)}`)
  const c = config as Record<string, unknown>
  for (const key of Object.keys(c)) {
    if (!['timeout', 'metadata', 'idempotent'].includes(key)) {
      throw new ConfigurationError(key, `unknown transaction option '${key}' (transaction options: timeout, metadata, idempotent)`)
    }
  }
  if (c.idempotent !== undefined && typeof c.idempotent !== 'boolean') throw new ConfigurationError('idempotent', `'idempotent' must be a boolean, got ${describe(c.idempotent)}`)
  if (c.timeout !== undefined && c.timeout !== null && !isInt(c.timeout) && (typeof c.timeout !== 'number' || !Number.isFinite(c.timeout) || c.timeout < 0)) {
    throw new ConfigurationError('timeout', `'timeout' must be a number of milliseconds ≥ 0, got ${describe(c.timeout)}`)
  }
  const timeout = typeof c.timeout === 'number' ? int(Math.round(c.timeout)) : c.timeout
  return { txConfig: new TxConfig({ timeout, metadata: c.metadata }), idempotent: c.idempotent === true }
}

// executeQuery's options, validated before anything touches the network: a
// wrong value of a known option throws a ConfigurationError ("Invalid
// executeQuery configuration: …"); an unknown option is ignored with a
// warning, as for driver and session options.

import { resultTransformers, type EagerResult, type Result, type ResultTransformer, type types } from 'neo4j-driver-core'
import type { BookmarkManager } from '../bookmarks/bookmark-manager.js'
import { ConfigurationError } from '../errors.js'
import type { Log } from '../log.js'
import { isOptionOf } from '../option-names.js'
import { unknownOptionMessage, warnOnce } from '../unknown-options.js'
import { describe } from '../url.js'
import { collectEager } from './results.js'
import type { TransactionConfig } from './session-config.js'
import { checkAuthOption } from '../validation.js'
import type { AuthToken } from '../auth/auth.js'

const CORE_EAGER = resultTransformers.eager()

export type RoutingControl = 'READ' | 'WRITE'

export interface QueryConfig<T = EagerResult> {
  /** Default 'WRITE' (like the official driver). */
  routing?: RoutingControl
  database?: string
  impersonatedUser?: string
  /** Default: the driver's executeQueryBookmarkManager; null: no causal chaining. */
  bookmarkManager?: BookmarkManager | null
  resultTransformer?: ResultTransformer<T>
  transactionConfig?: TransactionConfig
  /** Per-query auth: the query runs as this user (see SessionConfig.auth). */
  auth?: types.AuthToken
  /** Official option, not supported yet: executeQuery rejects with a ConfigurationError naming it. */
  signal?: AbortSignal
}

export interface ResolvedQueryConfig<T> {
  readonly routing: RoutingControl
  readonly database: string | undefined
  readonly impersonatedUser: string | undefined
  /** undefined: no bookmark manager (the caller passed null). */
  readonly bookmarkManager: BookmarkManager | undefined
  readonly resultTransformer: (result: Result) => Promise<T>
  /**
   * No resultTransformer was given: the driver's own eager one reads the whole
   * result and runs no application code, so nothing can fail after the query
   * that would have to undo it; COMMIT may then travel with the query.
   */
  readonly driverConsumesResult: boolean
  readonly transactionConfig: TransactionConfig | undefined
  readonly auth: AuthToken | undefined
}

const NOT_SUPPORTED_YET = ['signal']

function queryError (key: string, message: string): ConfigurationError {
  return new ConfigurationError(key, message, 'executeQuery')
}

/** `defaultManager` is used when the config names none (the driver's executeQueryBookmarkManager). */
export function resolveQueryConfig<T> (config: unknown, defaultManager: BookmarkManager, log?: Log): ResolvedQueryConfig<T> {
  if (config === undefined || config === null) config = {}
  if (typeof config !== 'object' || Array.isArray(config)) throw queryError('executeQuery', `the executeQuery config must be an object, got ${describe(config)}`)
  const c = config as QueryConfig<T> & Record<string, unknown>
  for (const key of Object.keys(c)) {
    if (NOT_SUPPORTED_YET.includes(key) && c[key] !== undefined) throw queryError(key, `executeQuery option '${key}' is not supported yet`)
    if (!isOptionOf('executeQuery', key)) warnOnce(log, unknownOptionMessage('executeQuery', key))
  }
  const routing = c.routing ?? 'WRITE'
  if (routing !== 'READ' && routing !== 'WRITE') throw queryError('routing', `executeQuery option 'routing' must be 'READ' or 'WRITE' (neo4j.routing.READ / WRITE), got ${describe(routing)}`)
  if (c.resultTransformer !== undefined && typeof c.resultTransformer !== 'function') {
    throw queryError('resultTransformer', "executeQuery option 'resultTransformer' must be a function (result) => Promise<T>, e.g. neo4j.resultTransformers.eager()")
  }
  for (const key of ['database', 'impersonatedUser'] as const) {
    const value = c[key]
    if (value !== undefined && value !== null && typeof value !== 'string') throw queryError(key, `executeQuery option '${key}' must be a string, got ${describe(value)}`)
  }
  const manager = c.bookmarkManager
  if (manager !== undefined && manager !== null && (typeof manager !== 'object' ||
    typeof manager.getBookmarks !== 'function' || typeof manager.updateBookmarks !== 'function')) {
    throw queryError('bookmarkManager', "executeQuery option 'bookmarkManager' must come from bookmarkManager() (an object with getBookmarks and updateBookmarks), or be null")
  }
  return {
    routing,
    database: c.database ?? undefined,
    impersonatedUser: c.impersonatedUser ?? undefined,
    bookmarkManager: manager === null ? undefined : (manager ?? defaultManager),
    // The default (and core's eager(), which is the same function) collected by our own
    // collectEager: the same EagerResult, without core's down-levelled async machinery.
    resultTransformer: (c.resultTransformer === undefined || c.resultTransformer === CORE_EAGER ? collectEager : c.resultTransformer) as (result: Result) => Promise<T>,
    driverConsumesResult: c.resultTransformer === undefined,
    transactionConfig: c.transactionConfig,
    auth: checkAuthOption(c.auth, message => queryError('auth', message))
  }
}

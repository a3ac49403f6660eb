// Checks of what users pass in, in one place: option values (each failure a
// ConfigurationError naming the key and saying what is expected), auth tokens
// and token managers (never describing credentials), database names. Every
// scope's validator (driver(), sessions, transactions, executeQuery,
// bookmarkManager()) builds on these, so a bad value reads the same wherever
// it is given.

import type { AuthTokenManager, types } from 'neo4j-driver-core'
import { ConfigurationError, type ConfigurationScope } from './errors.js'
import { unknownOptionMessage } from './unknown-options.js'
import { describe } from './url.js'

/** Validates one key's value (throws); `warn` collects notes about keys nested in it that are ignored. */
export type Check = (key: string, value: unknown, warn: (message: string) => void) => void

export function fail (key: string, expected: string, value: unknown): never {
  throw new ConfigurationError(key, `'${key}' must be ${expected}, got ${describe(value)}`)
}

export function typeCheck (type: 'boolean' | 'function' | 'string'): Check {
  return (key, value) => { if (typeof value !== type) fail(key, `a ${type}`, value) }
}

export function oneOf (allowed: readonly unknown[]): Check {
  return (key, value) => {
    if (!allowed.includes(value)) fail(key, `one of ${allowed.map(a => JSON.stringify(a)).join(', ')}`, value)
  }
}

export function durationCheck (strictlyPositive: boolean): Check {
  return (key, value) => {
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || (strictlyPositive && value === 0)) {
      fail(key, `a finite number of milliseconds ${strictlyPositive ? '> 0' : '≥ 0'}`, value)
    }
  }
}

/** Unknown keys inside an object option are ignored like unknown top-level ones, with a note. */
export function checkKeys (key: string, value: object, allowed: readonly string[], warn: (message: string) => void): void {
  for (const k of Object.keys(value)) {
    if (!allowed.includes(k)) warn(unknownOptionMessage('driver', k, { parent: key, keys: allowed }))
  }
}

/** An object with a token manager's two methods (a static token has neither). */
export function isAuthTokenManager (value: unknown): value is AuthTokenManager {
  return value !== null && typeof value === 'object' &&
    typeof (value as Partial<AuthTokenManager>).getToken === 'function' &&
    typeof (value as Partial<AuthTokenManager>).handleSecurityException === 'function'
}

/** Validate an auth token (credentials never appear in the message). */
export function validateAuthToken (token: unknown): void {
  if (token === undefined || token === null) return
  if (typeof token !== 'object' || Array.isArray(token)) {
    // Never describe the value itself: it may be a password passed by mistake.
    throw new ConfigurationError('auth', `the auth token must be an object such as auth.basic(user, password), got ${Array.isArray(token) ? 'an array' : `a ${typeof token}`}`)
  }
  const t = token as Record<string, unknown>
  if (isAuthTokenManager(token)) return
  if (typeof t.getToken === 'function') {
    throw new ConfigurationError('auth', 'an auth token manager needs getToken() and handleSecurityException(token, code) methods; ' +
      'build one with authTokenManagers.basic({ tokenProvider }) or authTokenManagers.bearer({ tokenProvider })')
  }
  if (typeof t.scheme !== 'string' || t.scheme === '') {
    throw new ConfigurationError('auth', "the auth token needs a 'scheme' string; build it with auth.basic(user, password), auth.bearer(token) or auth.none()")
  }
  if (t.scheme === 'basic' && (typeof t.principal !== 'string' || typeof t.credentials !== 'string')) {
    throw new ConfigurationError('auth', 'auth.basic needs a user name and a password, both strings')
  }
}

/** A per-session / per-query token: an object with a scheme (credentials never appear in the message). */
export function checkAuthOption (value: unknown, error: (message: string) => Error): types.AuthToken | undefined {
  if (value === undefined || value === null) return undefined
  if (typeof value !== 'object' || Array.isArray(value)) throw error(`'auth' must be an auth token such as auth.basic(user, password), got ${Array.isArray(value) ? 'an array' : `a ${typeof value}`}`)
  if (isAuthTokenManager(value)) throw error("'auth' takes a token such as auth.basic(user, password), not a token manager (a manager is given to driver())")
  const t = value as Record<string, unknown>
  if (typeof t.scheme !== 'string' || t.scheme === '') throw error("'auth' needs a 'scheme' string; build it with auth.basic(user, password), auth.bearer(token) or auth.none()")
  return value as types.AuthToken
}

export function checkDatabaseName (database: unknown, scope: ConfigurationScope): void {
  if (typeof database !== 'string' || database === '') throw new ConfigurationError('database', `'database' must be a non-empty string, got ${describe(database)}`, scope)
}

// Who a connection logs on as. The driver holds one AuthTokenManager: a
// static token given to driver(url, token) is wrapped in core's static
// manager, and managers from authTokenManagers.basic / .bearer (core's own
// implementations) or the application's own objects are used as they are.
// A session or executeQuery call may bring its own token instead (per-session
// auth, Bolt 5.1+). Tokens are compared by value, as the official driver does,
// to decide whether a pooled connection must log on again (LOGOFF + LOGON).

import { createHash } from 'node:crypto'
import { internal, newError, staticAuthTokenManager, type AuthTokenManager, type types } from 'neo4j-driver-core'
import { isAuthTokenManager } from '../validation.js'

export type AuthToken = types.AuthToken

/** The official wording (neo4j-driver 6.x), so code that matches on it keeps working. */
export const USER_SWITCH_UNSUPPORTED = 'Driver is connected to a database that does not support user switch.'

// Registered (Symbol.for), like every brand of this package, so a second installed copy recognises it.
const USER_SWITCH = Symbol.for('neo4j-cluster-driver.userSwitchUnsupported')

/** Raised when a session brings its own auth to a server older than Bolt 5.1 (code 'N/A', as the official driver). */
export function userSwitchUnsupported (): Error {
  const error = newError(USER_SWITCH_UNSUPPORTED)
  Object.defineProperty(error, USER_SWITCH, { value: true, enumerable: false })
  return error
}

/** Every member would say the same: routing stops and reports this very error. */
export function isUserSwitchUnsupported (error: unknown): boolean {
  return error !== null && typeof error === 'object' && USER_SWITCH in error
}

/** An object with getToken() and handleSecurityException() (core's managers, or the application's own). */
export { isAuthTokenManager }

/** The driver's manager: the one given, or a static one around the token (none: auth.none()). */
export function toAuthTokenManager (auth: AuthToken | AuthTokenManager | undefined | null): AuthTokenManager {
  if (isAuthTokenManager(auth)) return auth
  return staticAuthTokenManager({ authToken: (auth ?? { scheme: 'none', principal: '', credentials: '' }) as AuthToken })
}

/** Same token by value (scheme, principal, credentials, realm, parameters). */
export function sameToken (a: unknown, b: unknown): boolean {
  if (a === undefined || a === null || b === undefined || b === null) return false
  return internal.util.equals(a, b)
}

/**
 * The home-database cache key of whoever a session acts as: the impersonated
 * user; else the session's own token; else the driver's user (its principal
 * when it has a static basic token, 'default' for a token manager, whose
 * tokens may change). Credentials never appear in a key as they are: bearer
 * and kerberos tokens (they name the user) are hashed.
 */
export function homeDatabaseKey (impersonatedUser: string | null | undefined, sessionAuth: AuthToken | undefined, driverPrincipal: string | undefined): string {
  if (impersonatedUser !== undefined && impersonatedUser !== null && impersonatedUser !== '') return `impersonated:${impersonatedUser}`
  if (sessionAuth !== undefined) return tokenKey(sessionAuth)
  return driverPrincipal !== undefined ? `basic:${driverPrincipal}` : 'default'
}

function tokenKey (token: AuthToken): string {
  const t = token as unknown as Record<string, unknown>
  switch (t.scheme) {
    case 'basic': return `basic:${typeof t.principal === 'string' ? t.principal : ''}`
    case 'none': return 'none'
    case 'bearer':
    case 'kerberos': return `${t.scheme}:${digest(String(t.credentials))}`
    default: return `custom:${digest(stableJson(t))}`
  }
}

function digest (text: string): string {
  return createHash('sha256').update(text).digest('base64url').slice(0, 22)
}

function stableJson (value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'undefined'
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`
  const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => a < b ? -1 : a > b ? 1 : 0)
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableJson(v)}`).join(',')}}`
}

/** The principal of a static token (for the home-database key), never its credentials; none for a manager. */
export function staticPrincipal (auth: unknown): string | undefined {
  if (auth === null || typeof auth !== 'object' || isAuthTokenManager(auth)) return undefined
  const t = auth as Record<string, unknown>
  return typeof t.principal === 'string' ? t.principal : undefined
}

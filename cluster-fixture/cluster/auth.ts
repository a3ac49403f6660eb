// Who may log on, shared by every member of a cluster: the `auth` user and
// the `users` beside it (basic scheme), bearer tokens the cluster issued
// (expiring on the cluster's clock, as SSO tokens do), and "authorization
// expired" on demand. Neo4j's answers, as the official drivers meet them:
// - a wrong password: Unauthorized, and the connection closes;
// - an expired bearer token at LOGON: TokenExpired, and the connection closes;
//   a connection whose token expires while it is open gets TokenExpired on
//   its next request and closes (the driver's token manager fetches another);
// - AuthorizationExpired (Neo4j: the auth cache entry expired, e.g. roles
//   changed): every connection logged on before expireAuthorization() fails
//   its next request with it, until it logs on again (LOGOFF + LOGON) —
//   the official drivers then re-authenticate every pooled connection to that member.

import { randomBytes } from 'node:crypto'
import type { AuthRequest, LoggedOn } from '../bolt/backend.js'
import { FixtureError } from '../errors.js'

export interface ClusterUser { user: string, password: string }

export class ClusterAuth {
  private readonly passwords = new Map<string, string>()
  /** token → who it names and when it stops being valid (on the cluster clock). */
  private readonly bearerTokens = new Map<string, { user: string, expiresAt: number }>()
  /** Logons before this epoch (per member; '*' for all) have expired authorization. */
  private readonly expiredBefore = new Map<string, number>()
  private epoch = 0

  constructor (users: readonly ClusterUser[], private readonly now: () => number) {
    for (const { user, password } of users) this.passwords.set(user, password)
  }

  /** A bearer token for `user`, valid for `ttlMs` on the cluster's clock. */
  issueBearerToken (user: string, ttlMs: number): string {
    if (!this.passwords.has(user)) throw new TypeError(`issueBearerToken: no user ${JSON.stringify(user)} (users are the auth option's user and the users option's)`)
    if (!Number.isFinite(ttlMs) || ttlMs < 0) throw new TypeError('issueBearerToken: ttlMs must be a number of milliseconds ≥ 0')
    const token = randomBytes(18).toString('base64url')
    this.bearerTokens.set(token, { user, expiresAt: this.now() + ttlMs })
    return token
  }

  /** Every connection to `member` (all members without one) logged on until now fails its next request with AuthorizationExpired. */
  expireAuthorization (member?: string): void {
    this.epoch += 1
    this.expiredBefore.set(member ?? '*', this.epoch)
  }

  /** LOGON (HELLO before 5.1) on `member`: the principal and the check its later requests pass. */
  logOn (auth: AuthRequest, member: string): LoggedOn {
    const user = this.identify(auth)
    const epoch = ++this.epoch
    const token = auth.scheme === 'bearer' ? this.bearerTokens.get(auth.credentials ?? '') : undefined
    return {
      user,
      check: () => {
        if (token !== undefined && this.now() >= token.expiresAt) throw tokenExpired()
        const expired = Math.max(this.expiredBefore.get(member) ?? 0, this.expiredBefore.get('*') ?? 0)
        if (epoch < expired) {
          throw new FixtureError('AuthorizationExpired', 'Authorization info expired.')
        }
      }
    }
  }

  private identify (auth: AuthRequest): string {
    if (auth.scheme === 'basic' && auth.principal !== undefined && this.passwords.get(auth.principal) === auth.credentials) return auth.principal
    if (auth.scheme === 'bearer') {
      const token = this.bearerTokens.get(auth.credentials ?? '')
      if (token !== undefined) {
        if (this.now() >= token.expiresAt) throw tokenExpired()
        return token.user
      }
    }
    throw new FixtureError('Unauthorized', 'The client is unauthorized due to authentication failure.', { fatal: true })
  }
}

function tokenExpired (): FixtureError {
  return new FixtureError('TokenExpired', 'Token expired.', { fatal: true })
}

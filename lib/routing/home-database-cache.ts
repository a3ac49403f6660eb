// Home database per user, so a session that names no database costs one ROUTE
// per user (until evicted) instead of one per session (js#1138).

import { LRUCache } from 'lru-cache'
import { homeDatabaseKey as authHomeDatabaseKey, type AuthToken } from '../auth/auth.js'

/**
 * The key for whoever the session acts as: an impersonated user, else the
 * session's own auth (per-session auth: each user has a home database), else
 * the driver's principal.
 */
export function homeDatabaseKey (impersonatedUser: string | null | undefined, principal: string | undefined, sessionAuth?: AuthToken): string {
  return authHomeDatabaseKey(impersonatedUser, sessionAuth, principal)
}

export class HomeDatabaseCache {
  private readonly cache: LRUCache<string, string>

  constructor (maxEntries = 10_000) {
    this.cache = new LRUCache<string, string>({ max: maxEntries })
  }

  get (key: string): string | undefined {
    return this.cache.get(key)
  }

  set (key: string, database: string): void {
    this.cache.set(key, database)
  }

  /** The home database moved or vanished (DatabaseNotFound): resolve again next time. */
  forget (key: string): void {
    this.cache.delete(key)
  }

  forgetDatabase (database: string): void {
    for (const [key, value] of this.cache.entries()) if (value === database) this.cache.delete(key)
  }

  get size (): number { return this.cache.size }
}

// Waiting for bookmarks on one member: BEGIN, auto-commit RUN and ROUTE wait
// until this member has applied what the client has already seen, then fail
// with BookmarkTimeout. Bookmarks of databases this member does not host are
// ignored (the client may carry bookmarks of several databases). The client's
// RESET (its request's Interruption) ends the wait at once.

import type { Interruption } from '../bolt/backend.js'
import { FixtureError } from '../errors.js'
import type { Bookmark } from './bookmarks.js'
import { SYSTEM_DATABASE } from './catalogue.js'
import type { ClusterMember } from './member.js'

/** Waits for the `system` bookmarks first (a database just created may not be known here yet), then the rest. */
export async function waitForBookmarks (
  member: ClusterMember, bookmarks: readonly Bookmark[], timeoutMs: number, now: () => number, interruption?: Interruption
): Promise<void> {
  if (bookmarks.length === 0) return
  const deadline = now() + timeoutMs
  const newest = new Map<string, Bookmark>()
  for (const bookmark of bookmarks) {
    const key = `${bookmark.database}#${bookmark.incarnation}`
    const seen = newest.get(key)
    if (seen === undefined || seen.index < bookmark.index) newest.set(key, bookmark)
  }
  const ordered = [...newest.values()].sort((a, b) => Number(b.database === SYSTEM_DATABASE) - Number(a.database === SYSTEM_DATABASE))
  for (const bookmark of ordered) {
    const replica = member.replicaOf(bookmark.database)
    if (replica === undefined || replica.incarnation !== bookmark.incarnation) continue
    if (replica.appliedIndex >= bookmark.index) continue
    const remaining = Math.max(0, deadline - now())
    try {
      await replica.waitForApplied(bookmark.index, remaining, interruption)
    } catch (error) {
      if (error instanceof FixtureError) throw error
      throw new FixtureError('BookmarkTimeout', `Waiting for a bookmark of '${bookmark.database}' failed: ${String(error)}`)
    }
  }
}

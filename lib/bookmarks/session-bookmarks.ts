// A session's bookmark chain: it starts from the bookmarks it was given, sends
// them (plus its manager's) with ROUTE, BEGIN and auto-commit RUN, and after
// each commit holds only the bookmark that commit returned — so a session
// made from another's lastBookmarks() reads that session's writes.

import type { BookmarkManager } from './bookmark-manager.js'

export class SessionBookmarks {
  private own: string[]
  private readonly manager: BookmarkManager | undefined

  constructor (initial: Iterable<string>, manager?: BookmarkManager) {
    this.own = [...new Set(initial)]
    this.manager = manager
  }

  /** What `session.lastBookmarks()` returns. */
  last (): string[] {
    return [...this.own]
  }

  /** Bookmarks a request carries: the session's own plus the manager's. */
  async current (): Promise<string[]> {
    if (this.manager === undefined) return this.last()
    const all = new Set(this.own)
    for (const bookmark of await this.manager.getBookmarks()) all.add(bookmark)
    return [...all]
  }

  /**
   * A transaction that started from `used` committed. A commit without a
   * bookmark (a read-only transaction on some servers) keeps the chain as is.
   */
  async committed (used: readonly string[], bookmark: string | undefined | null): Promise<void> {
    if (bookmark === undefined || bookmark === null || bookmark === '') return
    this.own = [bookmark]
    if (this.manager !== undefined) await this.manager.updateBookmarks(used, [bookmark])
  }
}

// bookmarkManager() with the official semantics: a set of bookmarks that a
// commit replaces (the bookmarks the transaction started from are removed,
// the new one added), optional supplier (extra bookmarks merged into every
// read) and consumer (told the new set after every update).

/** The interface the official driver's sessions and executeQuery accept; ours takes theirs too. */
export interface BookmarkManager {
  updateBookmarks: (previousBookmarks: Iterable<string>, newBookmarks: Iterable<string>) => Promise<void>
  getBookmarks: () => Promise<Iterable<string>>
}

export interface BookmarkManagerConfig {
  initialBookmarks?: Iterable<string>
  bookmarksSupplier?: () => Promise<Iterable<string>>
  bookmarksConsumer?: (bookmarks: Iterable<string>) => Promise<void>
}

class SetBookmarkManager implements BookmarkManager {
  private readonly bookmarks: Set<string>
  private readonly supplier: (() => Promise<Iterable<string>>) | undefined
  private readonly consumer: ((bookmarks: Iterable<string>) => Promise<void>) | undefined

  constructor (config: BookmarkManagerConfig) {
    this.bookmarks = new Set(config.initialBookmarks ?? [])
    this.supplier = config.bookmarksSupplier
    this.consumer = config.bookmarksConsumer
  }

  async updateBookmarks (previousBookmarks: Iterable<string>, newBookmarks: Iterable<string>): Promise<void> {
    for (const bookmark of previousBookmarks) this.bookmarks.delete(bookmark)
    for (const bookmark of newBookmarks) this.bookmarks.add(bookmark)
    if (this.consumer !== undefined) await this.consumer([...this.bookmarks])
  }

  async getBookmarks (): Promise<Iterable<string>> {
    const all = new Set(this.bookmarks)
    if (this.supplier !== undefined) for (const bookmark of await this.supplier()) all.add(bookmark)
    return [...all]
  }
}

function isIterable (value: unknown): value is Iterable<unknown> {
  return value !== null && value !== undefined && typeof (value as Iterable<unknown>)[Symbol.iterator] === 'function'
}

export function bookmarkManager (config: BookmarkManagerConfig = {}): BookmarkManager {
  if (config === null || typeof config !== 'object') throw new TypeError('bookmarkManager(config): config must be an object')
  const { initialBookmarks, bookmarksSupplier, bookmarksConsumer } = config
  if (initialBookmarks !== undefined && (!isIterable(initialBookmarks) || typeof initialBookmarks === 'string')) {
    throw new TypeError('bookmarkManager: initialBookmarks must be an iterable of strings (e.g. an array)')
  }
  if (bookmarksSupplier !== undefined && typeof bookmarksSupplier !== 'function') throw new TypeError('bookmarkManager: bookmarksSupplier must be a function')
  if (bookmarksConsumer !== undefined && typeof bookmarksConsumer !== 'function') throw new TypeError('bookmarkManager: bookmarksConsumer must be a function')
  for (const key of Object.keys(config)) {
    if (!['initialBookmarks', 'bookmarksSupplier', 'bookmarksConsumer'].includes(key)) {
      throw new TypeError(`bookmarkManager: unknown option '${key}' (takes initialBookmarks, bookmarksSupplier, bookmarksConsumer)`)
    }
  }
  return new SetBookmarkManager(config)
}

// bookmarkManager() with the official semantics: a set of bookmarks that a
// commit replaces (the bookmarks the transaction started from are removed,
// the new one added), optional supplier (extra bookmarks merged into every
// read) and consumer (told the new set after every update).

import { ConfigurationError } from '../errors.js'
import { isOptionOf, OPTION_NAMES } from '../option-names.js'
import { describe } from '../url.js'

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
    if (this.supplier === undefined) return [...this.bookmarks]
    const all = new Set(this.bookmarks)
    for (const bookmark of await this.supplier()) all.add(bookmark)
    return [...all]
  }
}

function isIterable (value: unknown): value is Iterable<unknown> {
  return value !== null && value !== undefined && typeof (value as Iterable<unknown>)[Symbol.iterator] === 'function'
}

/** Every bad option throws a ConfigurationError naming it, as every other option of the driver does. */
export function bookmarkManager (config: BookmarkManagerConfig = {}): BookmarkManager {
  const fail = (key: string, message: string): never => { throw new ConfigurationError(key, message, 'bookmarkManager') }
  if (config === null || typeof config !== 'object') fail('config', `bookmarkManager(config): config must be an object, got ${describe(config)}`)
  const { initialBookmarks, bookmarksSupplier, bookmarksConsumer } = config
  if (initialBookmarks !== undefined && (!isIterable(initialBookmarks) || typeof initialBookmarks === 'string')) {
    fail('initialBookmarks', 'initialBookmarks must be an iterable of strings (e.g. an array)')
  }
  if (bookmarksSupplier !== undefined && typeof bookmarksSupplier !== 'function') fail('bookmarksSupplier', 'bookmarksSupplier must be a function')
  if (bookmarksConsumer !== undefined && typeof bookmarksConsumer !== 'function') fail('bookmarksConsumer', 'bookmarksConsumer must be a function')
  for (const key of Object.keys(config)) {
    if (!isOptionOf('bookmarkManager', key)) fail(key, `unknown option '${key}' (takes ${OPTION_NAMES.bookmarkManager.join(', ')})`)
  }
  return new SetBookmarkManager(config)
}

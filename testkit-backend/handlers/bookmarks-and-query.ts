// Bookmark managers (with supplier/consumer callbacks to testkit) and
// driver.executeQuery, which uses them.

import neo4j, { type BookmarkManager, type QueryConfig } from '../../lib/index.js'
import type { Context } from '../context.js'
import { BackendProblem } from '../protocol/problems.js'
import { NO_REPLY, type HandlerResult } from '../replies/reply.js'
import { recordJson, summaryJson } from '../replies/summary.js'
import { closeCallbackObject, completeCallback } from './callback-objects.js'
import { Fields } from './data.js'
import { wrappedAuthToken } from './driver.js'

export async function NewBookmarkManager (context: Context, f: Fields): Promise<HandlerResult> {
  const id = context.nextId()
  const initialBookmarks = f.optionalStrings('initialBookmarks')
  const manager = neo4j.bookmarkManager({
    initialBookmarks,
    bookmarksSupplier: f.optionalBoolean('bookmarksSupplierRegistered') === true
      ? async () => {
        const answer = await context.callBack('bookmarksSupplier', 'BookmarksSupplierRequest', { bookmarkManagerId: id })
        const bookmarks = answer.bookmarks
        if (!Array.isArray(bookmarks) || !bookmarks.every(b => typeof b === 'string')) throw new BackendProblem('BookmarksSupplierCompleted.bookmarks must be a list of strings')
        return bookmarks as string[]
      }
      : undefined,
    bookmarksConsumer: f.optionalBoolean('bookmarksConsumerRegistered') === true
      ? async (bookmarks: Iterable<string>) => {
        await context.callBack('bookmarksConsumer', 'BookmarksConsumerRequest', { bookmarkManagerId: id, bookmarks: [...bookmarks] })
      }
      : undefined
  })
  context.bookmarkManagers.add(id, manager)
  return { name: 'BookmarkManager', data: { id } }
}

export const BookmarkManagerClose = closeCallbackObject('bookmarkManagers', 'BookmarkManager')

export const BookmarksSupplierCompleted = completeCallback('bookmarksSupplier', f => ({ bookmarks: f.raw('bookmarks') }))

export const BookmarksConsumerCompleted = completeCallback('bookmarksConsumer', () => ({}))

/** ExecuteQuery.config.bookmarkManagerId: absent = the driver's own manager, -1 = none, else that manager. */
function bookmarkManagerOf (context: Context, config: Fields): BookmarkManager | null | undefined {
  if (!config.has('bookmarkManagerId')) return undefined
  const id = config.id('bookmarkManagerId')
  if (id === -1 || id === '-1') return null
  return context.bookmarkManagers.get(id)
}

export async function ExecuteQuery (context: Context, f: Fields): Promise<HandlerResult> {
  const driver = context.drivers.get(f.id('driverId'))
  const config = new Fields('ExecuteQuery.config', f.optionalObject('config') ?? {})
  const options: QueryConfig = {}
  const routing = config.optionalString('routing')
  if (routing !== undefined) {
    if (routing !== 'r' && routing !== 'w') throw new BackendProblem(`ExecuteQuery: unknown routing ${JSON.stringify(routing)} (expected "r" or "w")`)
    options.routing = routing === 'r' ? 'READ' : 'WRITE'
  }
  const database = config.optionalString('database')
  if (database !== undefined) options.database = database
  const impersonatedUser = config.optionalString('impersonatedUser')
  if (impersonatedUser !== undefined) options.impersonatedUser = impersonatedUser
  const manager = bookmarkManagerOf(context, config)
  if (manager !== undefined) options.bookmarkManager = manager
  const transactionConfig = config.transactionConfig()
  if (Object.keys(transactionConfig).length > 0) options.transactionConfig = transactionConfig
  const auth = config.optionalObject('authorizationToken')
  if (auth !== undefined) options.auth = wrappedAuthToken(auth)
  const { keys, records, summary } = await driver.executeQuery(f.string('cypher'), f.params(), options)
  return { name: 'EagerResult', data: { keys, records: records.map(recordJson), summary: summaryJson(summary) } }
}

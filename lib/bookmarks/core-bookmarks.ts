// Core's Bookmarks, as BEGIN and auto-commit RUN carry them. Core flattens and
// de-duplicates its input on every construction (reduce + concat + Set), yet
// a loop of reads, or of writes in one session, sends the bookmarks it was
// sent the time before: the last Bookmarks made is given again for the same
// values. The protocol only reads a Bookmarks (it packs its values), and
// nothing here hands one to application code.

import { internal } from 'neo4j-driver-core'

type Bookmarks = internal.bookmarks.Bookmarks
const { Bookmarks } = internal.bookmarks

let lastValues: readonly string[] = []
let lastBookmarks: Bookmarks = Bookmarks.empty()

/** Core's Bookmarks of these values (a TypeError, as core's, for a value that is not a string). */
export function coreBookmarks (values: readonly string[]): Bookmarks {
  if (sameValues(values, lastValues)) return lastBookmarks
  const bookmarks = new Bookmarks(values as string[])
  lastValues = [...values]
  lastBookmarks = bookmarks
  return bookmarks
}

function sameValues (a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false
  return true
}

// Bookmarks: opaque to clients, strict to us. A bookmark names one database
// incarnation and a position in its replicated log:
//   "FXB1:" + base64url("<database>:<incarnation>:<log index>")
// The incarnation (the system log index that created the database) keeps a
// bookmark of a dropped database from blocking reads of a new one with the same name.

import { FixtureError } from '../errors.js'

export const BOOKMARK_PREFIX = 'FXB1:'

export interface Bookmark {
  database: string
  incarnation: number
  index: number
}

export function encodeBookmark (bookmark: Bookmark): string {
  const body = `${bookmark.database}:${bookmark.incarnation}:${bookmark.index}`
  return BOOKMARK_PREFIX + Buffer.from(body, 'utf8').toString('base64url')
}

const BODY = /^([a-z][a-z0-9.-]{0,62}):(0|[1-9][0-9]{0,14}):(0|[1-9][0-9]{0,14})$/

/** Parses one bookmark; anything else → Neo.ClientError.Transaction.InvalidBookmark. */
export function parseBookmark (text: unknown): Bookmark {
  if (typeof text !== 'string' || !text.startsWith(BOOKMARK_PREFIX)) throw invalid(text)
  const encoded = text.slice(BOOKMARK_PREFIX.length)
  if (!/^[A-Za-z0-9_-]{1,200}$/.test(encoded)) throw invalid(text)
  const body = Buffer.from(encoded, 'base64url').toString('utf8')
  // Reject non-canonical encodings so that one bookmark has exactly one spelling.
  if (Buffer.from(body, 'utf8').toString('base64url') !== encoded) throw invalid(text)
  const match = BODY.exec(body)
  if (match === null) throw invalid(text)
  return { database: match[1], incarnation: Number(match[2]), index: Number(match[3]) }
}

export function parseBookmarks (texts: readonly unknown[]): Bookmark[] {
  return texts.map(parseBookmark)
}

function invalid (text: unknown): FixtureError {
  const shown = typeof text === 'string' ? JSON.stringify(text.length > 80 ? `${text.slice(0, 80)}…` : text) : typeof text
  return new FixtureError('InvalidBookmark',
    `Supplied bookmark ${shown} does not conform to pattern ${BOOKMARK_PREFIX}<base64url>; ` +
    'pass only bookmarks this cluster returned')
}

// A SUCCESS's metadata as the result summary reads it. Bolt 3+ names the
// timings t_first / t_last; core's summary reads result_available_after /
// result_consumed_after. bolt-connection renames them in place with
// `delete`, which turns each RUN and PULL answer's metadata into a slow,
// dictionary-mode object. Here the renamed metadata is a fresh plain object
// with the same entries (a timing takes its new name where the old one was).

import type { ResponseHandlerLike } from 'neo4j-driver-bolt-connection/lib/connection/index.js'
import { setOwn } from './map-decoding.js'

const RENAMED: Readonly<Record<string, string>> = { t_first: 'result_available_after', t_last: 'result_consumed_after' }
const SOURCE_OF: Readonly<Record<string, string>> = { result_available_after: 't_first', result_consumed_after: 't_last' }
const hasOwn = (object: object, key: string): boolean => Object.prototype.hasOwnProperty.call(object, key)

/** The metadata with its timings under the summary's names; the same object when it has none. */
export function renameTimings (metadata: Record<string, unknown>): Record<string, unknown> {
  if (!('t_first' in metadata) && !('t_last' in metadata)) return metadata
  const renamed: Record<string, unknown> = {}
  for (const key of Object.keys(metadata)) {
    if (hasOwn(RENAMED, key)) {
      setOwn(renamed, RENAMED[key] as string, metadata[key])
    } else if (!(hasOwn(SOURCE_OF, key) && hasOwn(metadata, SOURCE_OF[key] as string))) {
      // A summary name that also came as its timing (no server sends both) gives way to the timing, as with bolt-connection.
      setOwn(renamed, key, metadata[key])
    }
  }
  return renamed
}

/** Give this connection's response handler renameTimings (it had bolt-connection's Bolt 3+ renaming, which does the same). */
export function renameTimingsWithoutDelete (handler: ResponseHandlerLike): void {
  handler._transformMetadata = renameTimings
}

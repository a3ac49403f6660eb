// A SUCCESS's metadata as the result summary reads it. Bolt 3+ names the
// timings t_first / t_last; core's summary reads result_available_after /
// result_consumed_after. bolt-connection renames them in place with
// `delete`, which turns each RUN and PULL answer's metadata into a slow,
// dictionary-mode object. Here the renamed metadata is a fresh plain object
// with the same entries (a timing takes its new name where the old one was).
//
// A write's answer also carries its statistics with the server's names
// (`properties-set`); core's summary camel-cases each name with a regular
// expression and a callback per key, every time. They are given here under
// the names core reads (`propertiesSet`), which it then takes as they are.
// Names it does not know are left for it to convert, as before.
//
// bolt-connection then deletes `fields` and, after it, `qid` from a RUN's
// answer. V8 keeps an object fast through a delete only when the property
// deleted is the last one added, so those two are placed last, `qid` before
// `fields`. Nothing reads the answer's entries in order.

import type { ResponseHandlerLike } from 'neo4j-driver-bolt-connection/lib/connection/index.js'
import { rememberedName, setOwn } from './map-decoding.js'

const RENAMED: Readonly<Record<string, string>> = { t_first: 'result_available_after', t_last: 'result_consumed_after' }
const SOURCE_OF: Readonly<Record<string, string>> = { result_available_after: 't_first', result_consumed_after: 't_last' }
/** The statistics Bolt reports, by the names core's QueryStatistics gives them. */
const STATISTIC_NAMES: Readonly<Record<string, string>> = {
  'nodes-created': 'nodesCreated',
  'nodes-deleted': 'nodesDeleted',
  'relationships-created': 'relationshipsCreated',
  'relationships-deleted': 'relationshipsDeleted',
  'properties-set': 'propertiesSet',
  'labels-added': 'labelsAdded',
  'labels-removed': 'labelsRemoved',
  'indexes-added': 'indexesAdded',
  'indexes-removed': 'indexesRemoved',
  'constraints-added': 'constraintsAdded',
  'constraints-removed': 'constraintsRemoved',
  'system-updates': 'systemUpdates',
  'contains-updates': 'containsUpdates',
  'contains-system-updates': 'containsSystemUpdates'
}
/** Entries bolt-connection deletes, last deleted first: placed at the end in this order. */
const PLACED_LAST = ['qid', 'fields'] as const

/** The metadata with its timings and statistics under the summary's names (the same object when it has neither), its field names remembered. */
export function renameForSummary (metadata: Record<string, unknown>): Record<string, unknown> {
  if (!('t_first' in metadata) && !('t_last' in metadata) && !('stats' in metadata)) {
    if (Object.hasOwn(metadata, 'fields')) remembered(metadata.fields)
    return metadata
  }
  const renamed: Record<string, unknown> = {}
  for (const key of Object.keys(metadata)) {
    if (Object.hasOwn(RENAMED, key)) {
      setOwn(renamed, RENAMED[key] as string, metadata[key])
    } else if (key === 'stats') {
      setOwn(renamed, key, statisticsByCoreNames(metadata[key]))
    } else if ((PLACED_LAST as readonly string[]).includes(key)) {
      // placed below
    } else if (!(Object.hasOwn(SOURCE_OF, key) && Object.hasOwn(metadata, SOURCE_OF[key] as string))) {
      // A summary name that also came as its timing (no server sends both) gives way to the timing, as with bolt-connection.
      setOwn(renamed, key, metadata[key])
    }
  }
  for (const key of PLACED_LAST) if (Object.hasOwn(metadata, key)) setOwn(renamed, key, key === 'fields' ? remembered(metadata[key]) : metadata[key])
  return renamed
}

/** A list of field names with each name remembered (rememberedName); anything else as it is. */
function remembered (fields: unknown): unknown {
  if (!Array.isArray(fields)) return fields
  for (let i = 0; i < fields.length; i++) {
    const name: unknown = fields[i]
    if (typeof name === 'string') fields[i] = rememberedName(name)
  }
  return fields
}

/**
 * Statistics under core's names, in the order received (core reads them in
 * order, and for two names of one statistic the later one wins either way).
 */
export function statisticsByCoreNames (stats: unknown): unknown {
  if (stats === null || typeof stats !== 'object' || Array.isArray(stats)) return stats
  const byCoreNames: Record<string, unknown> = {}
  for (const key of Object.keys(stats)) {
    setOwn(byCoreNames, Object.hasOwn(STATISTIC_NAMES, key) ? STATISTIC_NAMES[key] as string : key, (stats as Record<string, unknown>)[key])
  }
  return byCoreNames
}

/** Give this connection's response handler renameForSummary (it had bolt-connection's Bolt 3+ renaming of the timings). */
export function renameForSummaryWithoutDelete (handler: ResponseHandlerLike): void {
  handler._transformMetadata = renameForSummary
}

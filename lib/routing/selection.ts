// Server selection as pure functions over a routing table: least in-use
// connections, ties broken round-robin. The caller owns the round-robin
// counter (one per database and mode) and the in-use counts (the pools).

import type { RoutingTable } from './routing-table.js'

export interface Selection {
  readonly address: string
  /** Pass this as `offset` next time, so ties rotate. */
  readonly nextOffset: number
}

/**
 * Walk `addresses` starting at `offset` (mod length) and take the one with the
 * fewest connections in use; the first one seen wins a tie, so equal loads
 * rotate as the offset advances. Returns null for an empty list.
 */
export function selectLeastConnected (addresses: readonly string[], inUse: (address: string) => number, offset: number): Selection | null {
  const count = addresses.length
  if (count === 0) return null
  const start = ((Math.trunc(offset) % count) + count) % count
  let best: string | undefined
  let bestLoad = Infinity
  for (let i = 0; i < count; i++) {
    const address = addresses[(start + i) % count] as string
    const load = inUse(address)
    if (load < bestLoad) {
      best = address
      bestLoad = load
    }
  }
  return { address: best as string, nextOffset: (start + 1) % count }
}

/** A reader from the table's READ list only: the leader is used for reads only when the table lists it there. */
export function selectReader (table: RoutingTable, inUse: (address: string) => number, offset: number): Selection | null {
  return selectLeastConnected(table.readers, inUse, offset)
}

export function selectWriter (table: RoutingTable, inUse: (address: string) => number, offset: number): Selection | null {
  return selectLeastConnected(table.writers, inUse, offset)
}

// The ROUTE answer for one database (pure). WRITE = the leader (empty during an
// election), READ = followers + secondaries (the leader too when asked, or when
// nobody else can serve reads), ROUTE = every running member hosting it,
// primaries first. Only available copies appear: the caller (backend.ts) marks
// available what the answering member's failure detector still hears and what
// was announced online, so each member answers from its own view.

import type { RoutingTableReply } from '../bolt/backend.js'
import { FixtureError } from '../errors.js'

export interface CopyView {
  member: string
  address: string
  role: 'primary' | 'secondary'
  /** Member heard from recently by the answering member (or the answering member itself), its copy online. */
  available: boolean
}

export interface RouteInput {
  database: string
  ttlSeconds: number
  copies: readonly CopyView[]
  /** The leader as the answering member knows it, or null. */
  leader: string | null
  readsOnLeader: boolean
}

export function buildRoutingTable (input: RouteInput): RoutingTableReply {
  const available = input.copies.filter((copy) => copy.available)
  const primaries = available.filter((copy) => copy.role === 'primary')
  const secondaries = available.filter((copy) => copy.role === 'secondary')
  const leader = primaries.find((copy) => copy.member === input.leader)
  const writers = leader !== undefined ? [leader.address] : []
  let readers = [...primaries.filter((copy) => copy !== leader), ...secondaries].map((copy) => copy.address)
  // Official drivers reject a table without readers, so a lone leader serves reads too.
  if (leader !== undefined && (input.readsOnLeader || readers.length === 0)) readers = [leader.address, ...readers]
  const routers = [...primaries, ...secondaries].map((copy) => copy.address)
  if (routers.length === 0 || readers.length === 0) {
    throw new FixtureError('DatabaseUnavailable',
      `Database '${input.database}' has no running copy that can serve it right now; retry when its members are back`)
  }
  return {
    ttlSeconds: input.ttlSeconds,
    db: input.database,
    servers: [
      { role: 'WRITE', addresses: writers },
      { role: 'READ', addresses: readers },
      { role: 'ROUTE', addresses: routers }
    ]
  }
}

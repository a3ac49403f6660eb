// Server-side routing, as a Neo4j 5 cluster does it by default
// (dbms.routing.enabled=true, the client-side default router): a member that
// cannot run a transaction itself runs it on the member that can, and passes
// the answers back. A WRITE transaction begun on a follower or a secondary
// goes to the leader; one for a database this member does not host goes to a
// member that hosts it.
//
// Only connections whose HELLO carried a routing context (neo4j:// URIs) are
// routed: "Setting routing to null indicates that the server should not carry
// out any routing" (docs-bolt message.adoc, HELLO), and Neo4j's query routing
// decisions run a bolt:// transaction locally (operations manual, "Query
// routing decisions"). A client that routes itself (our driver, the official
// ones over neo4j://) sends writes to the leader anyway: forwarding only
// catches what its routing table got wrong or, for the official drivers,
// what their home-database cache assumes (they cache only when every
// connection advertised `ssr.enabled`).
//
// The forward goes through the in-process network's reachability: a member
// partitioned or black-holed from the target, or a target that is stopped,
// is not forwarded to, and the transaction runs here as without routing
// (a write then fails with NotALeader, as before).

import type { AccessMode } from '../bolt/backend.js'
import type { DatabaseRecord } from './catalogue.js'
import type { ClusterMember } from './member.js'
import type { ClusterServices } from './services.js'

/** The member that should run this transaction instead of `member`, or null to run it here. */
export function routeTarget (member: ClusterMember, services: ClusterServices, record: DatabaseRecord, mode: AccessMode): string | null {
  const own = member.replicaOf(record.name)
  const hostedHere = own !== undefined && own.incarnation === record.incarnation
  if (hostedHere && (mode === 'READ' || own.isLeader)) return null
  const leader = (hostedHere ? own.leaderId : null) ?? services.view.leaderOf(record.name)
  const candidates = mode === 'WRITE'
    ? [leader]
    // A read of a database hosted elsewhere: a copy that is not the leader first, as the READ servers of a routing table.
    : [...record.primaries, ...record.secondaries].sort((a, b) => Number(a === leader) - Number(b === leader))
  for (const name of candidates) {
    if (name === null || name === member.name) continue
    if (services.view.member(name)?.state === 'stopped' || !services.network.canReach(member.name, name)) continue
    if (services.view.copy(name, record.name)?.state !== 'online') continue
    return name
  }
  return null
}

// Rules about who votes, who counts for a majority, and which membership
// changes are allowed (Raft dissertation §4.1: one voter added or removed per
// change, each change committed before the next starts).

import { MembershipChangeError } from './errors.js'
import type { Membership } from './messages.js'

export function isVoter (membership: Membership, id: string): boolean {
  return membership.voters.includes(id)
}

export function majorityOf (membership: Membership): number {
  return Math.floor(membership.voters.length / 2) + 1
}

/** Everyone a leader replicates to: voters and learners, except itself. */
export function peersOf (membership: Membership, self: string): string[] {
  return [...new Set([...membership.voters, ...membership.learners])].filter((id) => id !== self)
}

/** Counts how many of `ids` are voters. */
export function countVoters (membership: Membership, ids: Iterable<string>): number {
  let count = 0
  for (const id of ids) if (membership.voters.includes(id)) count++
  return count
}

/** Whether `ids` (votes won, or peers heard from) include a majority of the voters. */
export function hasMajority (membership: Membership, ids: Iterable<string>): boolean {
  return countVoters(membership, ids) >= majorityOf(membership)
}

/**
 * Throws unless `next` differs from `current` by at most one voter (added or
 * removed) and is well formed. Learners may change freely: they never count
 * for a majority, so adding or removing them cannot split one.
 */
export function validateSingleServerChange (current: Membership, next: Membership): void {
  const voters = new Set(next.voters)
  if (voters.size !== next.voters.length) throw new MembershipChangeError('a voter is listed twice')
  if (voters.size === 0) throw new MembershipChangeError('a membership needs at least one voter')
  const learners = new Set(next.learners)
  if (learners.size !== next.learners.length) throw new MembershipChangeError('a learner is listed twice')
  for (const id of learners) {
    if (voters.has(id)) throw new MembershipChangeError(`${id} cannot be both a voter and a learner`)
  }
  const added = next.voters.filter((id) => !current.voters.includes(id))
  const removed = current.voters.filter((id) => !voters.has(id))
  if (added.length + removed.length > 1) {
    throw new MembershipChangeError(
      `only one voter may change at a time (adding ${JSON.stringify(added)}, removing ${JSON.stringify(removed)})`)
  }
}

export function sameMembership (a: Membership, b: Membership): boolean {
  const same = (x: readonly string[], y: readonly string[]): boolean =>
    x.length === y.length && x.every((id) => y.includes(id))
  return same(a.voters, b.voters) && same(a.learners, b.learners)
}

// The rules one member follows while its group's membership changes
// (single-server changes, Raft dissertation §4.1-§4.2.2). A membership entry
// takes effect as soon as it is in a member's log, committed or not, so the
// dangerous moments are the ones between appending a change and committing
// it: these three decisions are where the member looks at that window.
// (membership.ts has the rules about a Membership value alone.)

import { MembershipChangeError } from './errors.js'
import { isVoter, validateSingleServerChange } from './membership.js'
import type { Membership } from './messages.js'
import type { RaftState } from './state.js'

/**
 * Learners and removed members never campaign, with one exception: a voter
 * whose log removes it in a change that may not have committed yet still
 * campaigns. Otherwise, if it holds the only copy of that change, nobody can
 * win an election (the others still need its vote, and it refuses members
 * whose log lacks the change). Votes are still counted in its newest
 * membership, as Raft requires, so this is safe.
 */
export function mayCampaign<C> (state: RaftState<C>): boolean {
  const log = state.log
  if (isVoter(log.membership, state.id)) return true
  return log.membershipEntryIndex > state.commitIndex && isVoter(log.priorMembership, state.id)
}

/**
 * Why a leader may not propose `next` now, or null when it may: at most one
 * voter added or removed, and only once this term's no-op and any earlier
 * change are committed (the guard that makes single-server changes safe
 * across leader changes).
 */
export function membershipChangeRefusal<C> (state: RaftState<C>, leaderReady: boolean, next: Membership): Error | null {
  if (!leaderReady) return new MembershipChangeError('the leader has not committed an entry of its term yet')
  if (state.log.membershipEntryIndex > state.commitIndex) {
    return new MembershipChangeError('an earlier membership change is not committed yet')
  }
  try {
    validateSingleServerChange(state.log.membership, next)
  } catch (error) {
    return error as Error
  }
  return null
}

/** A leader removed by a change that has now committed hands over (dissertation §4.2.2). */
export function leaderRemovedByCommittedChange<C> (state: RaftState<C>): boolean {
  return state.role === 'leader' && !isVoter(state.log.membership, state.id) &&
    state.log.membershipEntryIndex <= state.commitIndex
}

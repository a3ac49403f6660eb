// Moves a database's Raft membership towards the placement in the catalogue,
// one single-server change at a time (pure): first add a missing member as a
// learner, promote a learner once it has caught up, then remove voters and
// learners that no longer belong. The leader runs this after every change.

import type { Membership } from '../raft/index.js'

export type MembershipStep =
  | { kind: 'change', membership: Membership, reason: string }
  /** A learner must catch up before its promotion; ask again later. */
  | { kind: 'wait', reason: string }
  | { kind: 'done' }

export function nextMembershipStep (
  current: Membership,
  target: { voters: readonly string[], learners: readonly string[] },
  caughtUp: (member: string) => boolean
): MembershipStep {
  const inside = new Set([...current.voters, ...current.learners])
  const missing = [...target.voters, ...target.learners].find((id) => !inside.has(id))
  if (missing !== undefined) {
    return { kind: 'change', membership: { voters: [...current.voters], learners: [...current.learners, missing] }, reason: `add ${missing} as a learner` }
  }
  const toPromote = target.voters.filter((id) => current.learners.includes(id))
  const ready = toPromote.find(caughtUp)
  if (ready !== undefined) {
    return {
      kind: 'change',
      membership: { voters: [...current.voters, ready], learners: current.learners.filter((id) => id !== ready) },
      reason: `promote ${ready} to voter`
    }
  }
  if (toPromote.length > 0) return { kind: 'wait', reason: `${toPromote.join(', ')} catching up` }
  const extraVoter = current.voters.find((id) => !target.voters.includes(id))
  if (extraVoter !== undefined && current.voters.length > 1) {
    const demote = target.learners.includes(extraVoter)
    return {
      kind: 'change',
      membership: {
        voters: current.voters.filter((id) => id !== extraVoter),
        learners: demote ? [...current.learners, extraVoter] : [...current.learners]
      },
      reason: demote ? `demote ${extraVoter} to learner` : `remove voter ${extraVoter}`
    }
  }
  const extraLearner = current.learners.find((id) => !target.learners.includes(id) && !target.voters.includes(id))
  if (extraLearner !== undefined) {
    return { kind: 'change', membership: { voters: [...current.voters], learners: current.learners.filter((id) => id !== extraLearner) }, reason: `remove learner ${extraLearner}` }
  }
  return { kind: 'done' }
}

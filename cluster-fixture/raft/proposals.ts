// A leader's proposals waiting for their entries to commit, and the answer
// each one gets. The answer matters to clients: the cluster layer maps
// NotLeaderError to "certainly not committed, retry" and
// CommitOutcomeUnknownError to "may have committed, do not blindly retry".

import { CommitOutcomeUnknownError, NotLeaderError } from './errors.js'

interface PendingProposal {
  term: number
  resolve: (index: number) => void
  reject: (error: Error) => void
}

export class PendingProposals {
  /** By log index; a Map keeps proposal order, so answers go out in the order entries were appended. */
  private readonly pending = new Map<number, PendingProposal>()

  /** Waits for the entry appended at `index` in `term`; resolves with its index once committed. */
  add (index: number, term: number): Promise<number> {
    return new Promise<number>((resolve, reject) => {
      this.pending.set(index, { term, resolve, reject })
    })
  }

  /**
   * The commit index reached `commitIndex`: each proposal at or below it
   * committed if its entry is still the one proposed (same term at that index),
   * and otherwise was replaced by another leader's entry before commit.
   */
  settleUpTo (commitIndex: number, termAt: (index: number) => number | undefined): void {
    for (const [proposed, proposal] of this.pending) {
      if (proposed > commitIndex) continue
      this.pending.delete(proposed)
      if (termAt(proposed) === proposal.term) proposal.resolve(proposed)
      else proposal.reject(new CommitOutcomeUnknownError('the entry was replaced before commit'))
    }
  }

  /**
   * Leadership ended (`reason` says how). Entries above `keptUpTo` never left
   * this member and were removed, so they cannot commit: NotLeaderError. The
   * others may still commit under a later leader: CommitOutcomeUnknownError.
   */
  abandon (keptUpTo: number, reason: string): void {
    for (const [index, proposal] of this.pending) {
      if (index > keptUpTo) {
        proposal.reject(new NotLeaderError(`${reason} before the entry was replicated; it was not committed`, null))
      } else {
        proposal.reject(new CommitOutcomeUnknownError(
          `${reason} after the entry was sent to other members; it may or may not commit`))
      }
    }
    this.pending.clear()
  }
}

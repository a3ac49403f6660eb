// Why a proposal failed. The cluster layer maps these to Neo4j status codes:
// the distinction matters to clients, who may retry a write that certainly did
// not commit but must not blindly retry one whose outcome is unknown.

export class RaftProposalError extends Error {
  constructor (message: string, readonly committed: 'no' | 'unknown') {
    super(message)
    this.name = new.target.name
  }
}

/** The entry was never appended, or never left this member and was removed: it cannot have committed. */
export class NotLeaderError extends RaftProposalError {
  constructor (message: string, readonly leaderHint: string | null) {
    super(message, 'no')
  }
}

/** The entry reached at least one other member before leadership was lost: it may yet commit, or not. */
export class CommitOutcomeUnknownError extends RaftProposalError {
  constructor (message: string) {
    super(message, 'unknown')
  }
}

/** A membership change that Raft's single-server rule does not allow right now. */
export class MembershipChangeError extends Error {
  constructor (message: string) {
    super(message)
    this.name = 'MembershipChangeError'
  }
}
